/** AS OF TIMESTAMP texts: impossible dates and clock times are syntax errors, not silently rolled over. */
import assert from 'node:assert/strict';
import { StrataError } from '../../../storage/index.js';
import { parseSql } from '../../../query/sql/parse.js';
import { asOfTimeMs } from '../../../query/sql/as-of-clause.js';

describe('AS OF TIMESTAMP field ranges', () => {
  it('refuses days past the month, month 13, hour 24, minute 60, second 60 and zone +24:00 at the time text', () => {
    for (const text of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00',
      '2026-11-22 24:00:00', '2026-11-22 10:60', '2026-11-22 10:00:60', '2026-11-22T10:00:00+24:00', '2026-11-22T10:00:00+02:60']) {
      const sql = `SELECT * FROM t AS OF TIMESTAMP '${text}'`;
      assert.throws(() => parseSql(sql), (error: unknown) => error instanceof StrataError && error.code === 'SQL_SYNTAX_ERROR' &&
        error.details.position?.offset === sql.indexOf(`'${text}'`), text);
    }
  });

  it('keeps the edges that exist', () => {
    assert.equal(asOfTimeMs('2024-02-29'), Date.UTC(2024, 1, 29));
    assert.equal(asOfTimeMs('2026-12-31 23:59:59.999'), Date.UTC(2026, 11, 31, 23, 59, 59, 999));
    assert.equal(asOfTimeMs('2026-01-31T00:00:00-23:59'), Date.UTC(2026, 0, 31, 23, 59));
    assert.equal(asOfTimeMs('2026-11-22T10:00+0200'), Date.UTC(2026, 10, 22, 8));
  });
});
