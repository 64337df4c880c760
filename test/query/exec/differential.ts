/**
 * Differential checking of expression kernels against DuckDB: the same rows in a strata batch and
 * a DuckDB table, each case an SQL text and the bound expression the binder would make of it.
 * Non-double results are compared as DuckDB's text (so CAST to VARCHAR formatting is checked
 * too); doubles numerically to a relative 1e-12.
 */
import assert from 'node:assert/strict';
import type { Schema } from '../../../storage/index.js';
import type { Expr } from '../../../query/plan/index.js';
import { castVector, evaluateExpr, valueAt } from '../../../query/exec/index.js';
import { batchFromRows, type TestValue } from '../support/memory-table.js';
import type { Duck } from './duckdb-side.js';

/** One SQL expression and its bound form. */
export interface Case {
  readonly sql: string;
  readonly expr: Expr;
}

function sameDouble(actual: number | null, expected: unknown): boolean {
  if (expected === null || actual === null) return actual === expected;
  const e = typeof expected === 'string' ? Number(expected.replace(/^inf$/, 'Infinity')) : Number(expected);
  if (Number.isNaN(e)) return Number.isNaN(actual);
  if (!Number.isFinite(e)) return e === actual;
  return Math.abs(actual - e) <= 1e-12 * Math.max(1, Math.abs(e));
}

/** Asserts that every case evaluates over `rows` exactly as DuckDB answers it. */
export async function assertLikeDuckDb(duck: Duck, schema: Schema, rows: readonly (readonly TestValue[])[], cases: readonly Case[]): Promise<void> {
  await duck.load('t', schema, rows);
  const batch = batchFromRows(schema, rows);
  const select = cases.map((c) => (c.expr.type.id === 'float64' ? `(${c.sql})` : `CAST((${c.sql}) AS VARCHAR)`)).join(', ');
  const expected = await duck.rows(`SELECT ${select} FROM t ORDER BY rowid`);
  cases.forEach((c, k) => {
    const vector = evaluateExpr(c.expr, batch);
    assert.equal(vector.length, rows.length, `${c.sql}: length`);
    const text = c.expr.type.id === 'float64' ? null : castVector(vector, { id: 'string' });
    for (let i = 0; i < rows.length; i++) {
      const want = expected[i][k];
      if (text === null) {
        const got = valueAt(vector, i) as number | null;
        assert.ok(sameDouble(got, want), `${c.sql} row ${i} (${JSON.stringify(rows[i])}): strata ${got}, DuckDB ${String(want)}`);
      } else {
        assert.equal(valueAt(text, i), want, `${c.sql} row ${i} (${JSON.stringify(rows[i])})`);
      }
    }
  });
}

/** Asserts that DuckDB fails on `sql` and strata on `expr` with `code`. */
export async function assertBothFail(duck: Duck, schema: Schema, rows: readonly (readonly TestValue[])[], c: Case, code: string): Promise<void> {
  await duck.load('t', schema, rows);
  await assert.rejects(duck.rows(`SELECT ${c.sql} FROM t`), `DuckDB should fail on ${c.sql}`);
  const batch = batchFromRows(schema, rows);
  assert.throws(() => evaluateExpr(c.expr, batch), (error: { code?: string }) => error.code === code, `strata should fail on ${c.sql} with ${code}`);
}
