/**
 * The path rules of ingest by path: real paths under the ingest roots only (no `..`, no link out),
 * any absolute path on a loopback node without roots, nothing on a non-loopback node without
 * roots; the node config resolves the roots once and refuses missing ones.
 */
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IngestPathPolicy, resolveIngestRoots } from '../../service-manager/distributed-ingest-paths.js';
import { parseNodeConfig } from '../../service-manager/index.js';
import { makeTempDirectory } from '../support/paths.js';

function code(error: unknown): string {
  return (error as { code: string }).code;
}

describe('service-manager/ingest path rules', () => {
  const temp = makeTempDirectory('strata-paths-');
  const base = realpathSync(temp.path);
  const root = join(base, 'root');
  const inside = join(root, 'in.csv');
  const outside = join(base, 'out.csv');

  before(() => {
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(inside, 'a\n');
    writeFileSync(outside, 'b\n');
    symlinkSync(outside, join(root, 'link-out.csv'));
    symlinkSync(inside, join(base, 'link-in.csv'));
  });
  after(() => temp.remove());

  it('accepts real paths under a root, also through a link that leads in', async () => {
    const policy = new IngestPathPolicy('n1', resolveIngestRoots([root]), false);
    assert.equal(await policy.readable(inside), inside);
    assert.equal(await policy.readable(`${root}/sub/../in.csv`), inside);
    assert.equal(await policy.readable(join(base, 'link-in.csv')), inside);
    assert.equal(await policy.writable(join(root, 'sub', 'new.rejects')), join(root, 'sub', 'new.rejects'));
  });

  it('refuses paths that lead out of the roots by .., by a link, or by a rejects file elsewhere', async () => {
    const policy = new IngestPathPolicy('n1', resolveIngestRoots([root]), true);
    for (const path of [outside, `${root}/../out.csv`, join(root, 'link-out.csv')]) {
      await assert.rejects(policy.readable(path), (error) => code(error) === 'INGEST_PATH_NOT_ALLOWED', path);
    }
    await assert.rejects(policy.writable(join(base, 'x.rejects')), (error) => code(error) === 'INGEST_PATH_NOT_ALLOWED');
    await assert.rejects(policy.writable(join(root, 'link-out.csv')), (error) => code(error) === 'INGEST_PATH_NOT_ALLOWED');
    // A sibling directory whose name starts like the root is not inside it.
    mkdirSync(`${root}-twin`, { recursive: true });
    writeFileSync(`${root}-twin/f.csv`, 'c\n');
    await assert.rejects(policy.readable(`${root}-twin/f.csv`), (error) => code(error) === 'INGEST_PATH_NOT_ALLOWED');
  });

  it('without roots: any absolute path on loopback, nothing on another address, never a relative path', async () => {
    assert.equal(await new IngestPathPolicy('n1', [], true).readable(outside), outside);
    await assert.rejects(new IngestPathPolicy('n1', [], false).readable(outside),
      (error: Error) => code(error) === 'INGEST_PATH_NOT_ALLOWED' && /non-loopback address and has no ingest roots.*--ingest-root/.test(error.message));
    await assert.rejects(new IngestPathPolicy('n1', [], true).readable('in.csv'), (error) => code(error) === 'INGEST_PATH_NOT_ABSOLUTE');
    await assert.rejects(new IngestPathPolicy('n1', [], true).readable(join(base, 'absent.csv')), (error) => code(error) === 'INGEST_FILE_NOT_FOUND');
  });

  it('node config resolves --ingest-root once and refuses a missing directory', () => {
    const config = parseNodeConfig({ store: join(base, 'store'), ingestRoots: [`${root}/sub/..`] });
    assert.deepEqual(config.ingestRoots, [root]);
    assert.deepEqual(parseNodeConfig({ store: join(base, 'store') }).ingestRoots, []);
    assert.throws(() => parseNodeConfig({ store: join(base, 'store'), ingestRoots: [join(base, 'absent')] }), (error) => code(error) === 'NODE_CONFIG_INVALID');
  });
});
