import assert from 'node:assert/strict';
import { bytesText, summaryText } from '../../cli/ingest-command.js';
import type { IngestSummary } from '../../ingest/index.js';

function summary(overrides: Partial<IngestSummary>): IngestSummary {
  return {
    table: 'lineitem', version: 2, rowsLoaded: 600_572, rowsRejected: 0, bytesIn: 75_900_000, bytesStored: 16_100_000,
    partitions: 7, seconds: 3.34, skipped: false, rejectsPath: null, files: ['lineitem.tbl'], filesSkipped: [], rejectSamples: [],
    ...overrides,
  } as IngestSummary;
}

describe('cli/ingest summary line', () => {
  it('states a plain file in raw bytes, with the ratio over the stored bytes', () => {
    assert.equal(summaryText(summary({})),
      'lineitem: loaded 600,572 rows from 1 file(s) in 3.34 s — 75.9 MB in, 16.1 MB stored (4.7x), 7 partition(s), version 2\n');
  });

  it('states a compressed file as read, then raw, and takes the ratio over the raw bytes', () => {
    const text = summaryText(summary({ files: ['lineitem.tbl.zst'], bytesRead: 15_290_137, bytesIn: 75_900_000, bytesStored: 16_096_718 }));
    assert.equal(text,
      'lineitem: loaded 600,572 rows from 1 file(s) in 3.34 s — 15.3 MB read (.zst), 75.9 MB raw, 16.1 MB stored (4.7x), 7 partition(s), version 2\n');
  });

  it('names each compression of a mixed load', () => {
    const text = summaryText(summary({ files: ['a.tbl.zst', 'b.csv.gz', 'c.csv'], bytesRead: 2_000_000 }));
    assert.match(text, / 2\.0 MB read \(\.zst, \.gz\), 75\.9 MB raw, /);
  });

  it('writes small counts exactly and large ones in decimal units', () => {
    assert.equal(bytesText(963), '963 bytes');
    assert.equal(bytesText(9_999), '9,999 bytes');
    assert.equal(bytesText(15_290), '15.3 kB');
    assert.equal(bytesText(760_000_000), '760.0 MB');
    assert.equal(bytesText(6_001_215_000), '6.00 GB');
  });
});
