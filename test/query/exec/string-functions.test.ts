import assert from 'node:assert/strict';
import { Types, type Schema } from '../../../storage/index.js';
import { evaluateExpr, valueAt } from '../../../query/exec/index.js';
import { Duck } from './duckdb-side.js';
import { assertLikeDuckDb, type Case } from './differential.js';
import { call, col, lit } from './expr-builders.js';

const { int64, string, boolean } = Types;

describe('exec: string functions against DuckDB', () => {
  let duck: Duck;
  before(async () => { duck = await Duck.open(); });

  const schema: Schema = {
    fields: [{ name: 's', type: string, nullable: true }, { name: 'n', type: int64, nullable: true }, { name: 'u', type: string, nullable: true }],
  };
  const rows = [
    ['hello', 2, 'l'], ['héllo wörld', -3, 'ö'], ['', 0, ''], [null, 1, 'x'], ['a,b,,c', 3, ','], ['  padded  ', -1, ' '],
    ['👍🏽 thumbs', 1, '👍'], ['ÀÉÎ straße', 5, 'ss'], ['xxaxx', 10, 'x'], ['abc', null, null],
  ];
  const s = col(0, string); const n = col(1, int64); const u = col(2, string);
  const k = (v: number): ReturnType<typeof lit> => lit(v, int64);
  const t = (v: string): ReturnType<typeof lit> => lit(v, string);

  it('case, length and reverse count code points (unicode, emoji)', async () => {
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'lower(s)', expr: call('lower', string, s) },
      { sql: 'length(s)', expr: call('length', int64, s) },
      { sql: 'reverse(s)', expr: call('reverse', string, s) },
      { sql: "upper('abc' || s)", expr: call('upper', string, call('concat', string, t('abc'), s)) },
    ]);
  });

  it('substring with DuckDB semantics for 0, negative starts and negative lengths', async () => {
    const cases: Case[] = [];
    for (const start of [-12, -3, -1, 0, 1, 2, 5, 20]) {
      cases.push({ sql: `substring(s, ${start})`, expr: call('substring', string, s, k(start)) });
      for (const length of [-2, 0, 1, 3]) cases.push({ sql: `substring(s, ${start}, ${length})`, expr: call('substring', string, s, k(start), k(length)) });
    }
    cases.push({ sql: 'substring(s, n, 2)', expr: call('substring', string, s, n, k(2)) });
    await assertLikeDuckDb(duck, schema, rows, cases);
  });

  it('trim, pad, replace, repeat, left/right, split_part, position and predicates', async () => {
    await assertLikeDuckDb(duck, schema, rows, [
      { sql: 'trim(s)', expr: call('trim', string, s) },
      { sql: "ltrim(s, 'x ')", expr: call('ltrim', string, s, t('x ')) },
      { sql: 'rtrim(s, u)', expr: call('rtrim', string, s, u) },
      { sql: "lpad(s, 7, 'ab')", expr: call('lpad', string, s, k(7), t('ab')) },
      { sql: "rpad(s, 3, '*')", expr: call('rpad', string, s, k(3), t('*')) },
      { sql: "replace(s, 'l', 'LL')", expr: call('replace', string, s, t('l'), t('LL')) },
      { sql: 'replace(s, u, \'_\')', expr: call('replace', string, s, u, t('_')) },
      { sql: 'repeat(s, 2)', expr: call('repeat', string, s, k(2)) },
      { sql: 'left(s, n)', expr: call('left', string, s, n) },
      { sql: 'right(s, n)', expr: call('right', string, s, n) },
      { sql: "split_part(s, ',', 2)", expr: call('split_part', string, s, t(','), k(2)) },
      { sql: "split_part(s, ',', -1)", expr: call('split_part', string, s, t(','), k(-1)) },
      { sql: 'split_part(s, u, n)', expr: call('split_part', string, s, u, n) },
      { sql: 'strpos(s, u)', expr: call('position', int64, s, u) },
      { sql: "strpos(s, 'l')", expr: call('position', int64, s, t('l')) },
      { sql: 'starts_with(s, u)', expr: call('starts_with', boolean, s, u) },
      { sql: "ends_with(s, 'c')", expr: call('ends_with', boolean, s, t('c')) },
      { sql: 'contains(s, u)', expr: call('contains', boolean, s, u) },
      { sql: 's || u', expr: call('concat', string, s, u) },
      { sql: "s || '-' || n::VARCHAR", expr: call('concat', string, s, t('-'), { kind: 'cast', expr: n, type: string }) },
    ]);
  });

  it('runs a function once per dictionary entry and keeps the codes', () => {
    const column = { kind: 'string' as const, type: string, length: 6, codes: Int32Array.of(0, 1, 0, 1, 0, 0), dictionary: ['Ab', 'cD'], nulls: null };
    const result = evaluateExpr(call('upper', string, col(0, string)), { length: 6, columns: [column] });
    assert.equal(result.kind, 'string');
    assert.deepEqual(result.kind === 'string' ? result.dictionary : [], ['AB', 'CD']);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => valueAt(result, i)), ['AB', 'CD', 'AB', 'CD', 'AB', 'AB']);
  });
});
