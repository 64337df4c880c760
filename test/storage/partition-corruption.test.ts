/** Corruption is detected: crc32 per column and batch on read, sha256 of the file on verify, magic and size. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  loadPartitionLayout, readPartition, Types, verifyPartition, writePartition,
  type LocalStore, type PartitionMeta, type Schema,
} from '../../storage/index.js';
import { batchOf, collect, columnsOf, rejection, temporaryStore } from './storage-fixtures.js';

const schema: Schema = { fields: [
  { name: 'id', type: Types.int32, nullable: false },
  { name: 'name', type: Types.string, nullable: true },
] };
const ids = Array.from({ length: 300 }, (_, i) => i * 7919);
const names = ids.map((id) => `name-${id}`);

describe('partition corruption', () => {
  let store: LocalStore;
  let directory: string;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ store, directory, cleanup } = await temporaryStore('corruption'));
  });
  after(() => cleanup());

  async function write(name: string): Promise<PartitionMeta> {
    return writePartition(store, name, schema, [batchOf(schema, [ids, names])], { batchRowsMax: 100 });
  }

  async function flipByte(name: string, offset: number): Promise<void> {
    const handle = await fs.open(path.join(directory, name), 'r+');
    try {
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, offset);
      byte[0] ^= 0x5a;
      await handle.write(byte, 0, 1, offset);
    } finally {
      await handle.close();
    }
  }

  it('a flipped byte in one column of one batch fails that column with PARTITION_CHECKSUM_MISMATCH naming partition, column and batch', async () => {
    const meta = await write('flip.arrow');
    const layout = await loadPartitionLayout(store, meta);
    const batch = layout.batches[1];
    const range = batch.columnRanges[1];
    await flipByte('flip.arrow', batch.bodyOffset + range.start + 12);
    const error = await rejection(collect(readPartition(store, meta, schema, [1])), 'PARTITION_CHECKSUM_MISMATCH');
    assert.equal(error.kind, 'corruption');
    assert.equal(error.details.partition, meta.id);
    assert.match(error.message, new RegExp(`${meta.id}.*'name' batch 1`));
    // The other column is intact and still reads.
    assert.deepEqual(columnsOf(await collect(readPartition(store, meta, schema, [0])), 1), [ids]);
    await rejection(verifyPartition(store, meta), 'PARTITION_CHECKSUM_MISMATCH');
  });

  it('verifyPartition passes an intact file', async () => {
    await verifyPartition(store, await write('intact.arrow'));
  });

  it('a truncated file is PARTITION_CORRUPT', async () => {
    const meta = await write('short.arrow');
    await fs.truncate(path.join(directory, 'short.arrow'), meta.bytes - 100);
    const error = await rejection(collect(readPartition(store, meta, schema, [0])), 'PARTITION_CORRUPT');
    assert.match(error.message, /shorter/);
    await rejection(verifyPartition(store, meta), 'PARTITION_CORRUPT');
  });

  it('a file without its ARROW1 magic is PARTITION_CORRUPT', async () => {
    const head = await write('head.arrow');
    await flipByte('head.arrow', 2);
    assert.match((await rejection(collect(readPartition(store, head, schema, [0])), 'PARTITION_CORRUPT')).message, /magic/);
    const tail = await write('tail.arrow');
    await flipByte('tail.arrow', tail.bytes - 1);
    await rejection(collect(readPartition(store, tail, schema, [0])), 'PARTITION_CORRUPT');
  });

  it('an encoding this version does not know is PARTITION_FORMAT_UNSUPPORTED, not a misread', async () => {
    const meta = await writePartition(store, 'unknown-encoding.arrow', schema, [batchOf(schema, [ids, names])], { encodingRequests: { id: 'for+bits' } });
    const file = path.join(directory, 'unknown-encoding.arrow');
    const bytes = await fs.readFile(file);
    const text = bytes.toString('latin1');
    assert.ok(text.includes('"kind":"integers"'));
    // Same length, so every offset stays valid; the schema message and the footer both change.
    await fs.writeFile(file, Buffer.from(text.replaceAll('"kind":"integers"', '"kind":"integerz"'), 'latin1'));
    const error = await rejection(collect(readPartition(store, meta, schema, [0])), 'PARTITION_FORMAT_UNSUPPORTED');
    assert.match(error.message, /column 'id'.*upgrade strata/);
  });

  it('a damaged footer length or footer is PARTITION_CORRUPT, never a crash', async () => {
    const meta = await write('footer.arrow');
    await flipByte('footer.arrow', meta.bytes - 8);
    await rejection(collect(readPartition(store, meta, schema, [0])), 'PARTITION_CORRUPT');
    const garbled = await write('garbled.arrow');
    const footerBytes = await store.readRange('garbled.arrow', garbled.bytes - 10, 4);
    const footerLength = new DataView(footerBytes.buffer, footerBytes.byteOffset, 4).getInt32(0, true);
    for (let i = 0; i < footerLength; i += 4) await flipByte('garbled.arrow', garbled.bytes - 10 - footerLength + i);
    await rejection(collect(readPartition(store, garbled, schema, [0])), 'PARTITION_CORRUPT');
  });
});
