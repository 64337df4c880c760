/**
 * Spill directory safety: the root and query directories are 700 and run files 600 whatever the
 * umask; a root open to others or a symlink is refused; only this host's dead queries are cleaned;
 * a frame reads back whole when the file system hands it over a few bytes at a time.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StrataError, Types, type Batch, type Schema } from '../../storage/index.js';
import { readFully, SpillDirectory } from '../../service-manager/spill-area.js';
import { makeTempDirectory } from '../support/paths.js';

const schema: Schema = { fields: [{ name: 'x', type: Types.float64, nullable: false }] };
const batch: Batch = { length: 2, columns: [{ kind: 'numeric', type: Types.float64, length: 2, values: new Float64Array([1, 2]), nulls: null }] };

/** Asserts that opening root fails with SPILL_DIRECTORY_UNSAFE naming it. */
async function assertUnsafe(root: string): Promise<void> {
  await assert.rejects(SpillDirectory.open({ directory: root }), (error: unknown) =>
    error instanceof StrataError && error.code === 'SPILL_DIRECTORY_UNSAFE' && error.message.includes(root));
}

describe('spill directory safety', () => {
  it('makes the root and query directories 700 and run files 600 even under umask 000', async () => {
    const temp = makeTempDirectory();
    const umask = process.umask(0);
    try {
      const root = join(temp.path, 'spill');
      const directory = await SpillDirectory.open({ directory: root });
      const area = directory.createArea();
      await area.writeRun(schema, [batch]);
      const [query] = readdirSync(root);
      assert.equal(statSync(root).mode & 0o777, 0o700);
      assert.equal(statSync(join(root, query)).mode & 0o777, 0o700);
      assert.equal(statSync(join(root, query, 'run-1.arrow')).mode & 0o777, 0o600);
      await area.close();
    } finally {
      process.umask(umask);
      temp.remove();
    }
  });

  it('refuses a group-writable root, a world-readable root and a symlinked root', async () => {
    const temp = makeTempDirectory();
    try {
      const shared = join(temp.path, 'shared');
      mkdirSync(shared);
      chmodSync(shared, 0o770);
      await assertUnsafe(shared);
      chmodSync(shared, 0o755);
      await assertUnsafe(shared);
      const target = join(temp.path, 'target');
      mkdirSync(target, { mode: 0o700 });
      const link = join(temp.path, 'link');
      symlinkSync(target, link);
      await assertUnsafe(link);
      const file = join(temp.path, 'file');
      writeFileSync(file, 'x', { mode: 0o600 });
      await assertUnsafe(file);
      chmodSync(shared, 0o700);
      await SpillDirectory.open({ directory: shared });
    } finally {
      temp.remove();
    }
  });

  it('deletes dead queries of this host only', async () => {
    const temp = makeTempDirectory();
    try {
      const host = hostname().replace(/[^A-Za-z0-9]/g, '_') || 'host';
      const dead = join(temp.path, `q-${host}-4194305-1-deadbeef`);
      const otherHost = join(temp.path, 'q-otherhost-4194305-1-deadbeef');
      const live = join(temp.path, `q-${host}-${process.pid}-999-live`);
      for (const path of [dead, otherHost, live]) mkdirSync(path);
      await SpillDirectory.open({ directory: temp.path });
      assert.equal(existsSync(dead), false);
      assert.equal(existsSync(otherHost), true, "another host's pid means nothing here");
      assert.equal(existsSync(live), true);
    } finally {
      temp.remove();
    }
  });

  it('reads a frame whole through many short reads and fails clearly on a truncated file', async () => {
    const temp = makeTempDirectory();
    try {
      const file = join(temp.path, 'run');
      const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
      writeFileSync(file, bytes);
      const handle = await open(file, 'r');
      try {
        // A real file read at most 7 bytes a call, as a network file system may.
        const short = { read: (buffer: Uint8Array, offset: number, length: number, position: number) => handle.read(buffer, offset, Math.min(length, 7), position) };
        const back = new Uint8Array(990);
        await readFully(short as never, back, 10, file);
        assert.deepEqual(back, bytes.subarray(10));
        await assert.rejects(readFully(short as never, new Uint8Array(20), 990, file), (error: unknown) =>
          error instanceof StrataError && error.code === 'SPILL_IO_FAILED' && error.message.includes(file));
      } finally {
        await handle.close();
      }
    } finally {
      temp.remove();
    }
  });
});
