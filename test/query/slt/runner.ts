/**
 * A sqllogictest-style runner for strata's .slt files, run against an in-memory catalog.
 *
 * Records (separated by blank lines; '#' starts a comment line):
 *   statement ok                      the SQL that follows must succeed
 *   statement error [CODE]            it must fail (with StrataError code CODE when given)
 *   query <types> [rowsort]           it must return these rows: one letter per column,
 *   SELECT …                          I integer or boolean, R DOUBLE or DECIMAL, T any;
 *   ----                              each expected line is one row, values separated by
 *   1 abc 2.50                        whitespace (runs of spaces and tabs compare equal)
 *   control partition_rows N          later INSERTs cut partitions of at most N rows
 * Values print as: NULL, (empty) for '', true/false, integers as is, DECIMAL with its scale,
 * DOUBLE rounded to 6 decimals without trailing zeros, DATE 'YYYY-MM-DD', TIMESTAMP
 * 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
 */
import assert from 'node:assert/strict';
import {
  StrataError, formatDate, formatDecimal, formatTimestamp, type Batch, type DataType, type Vector,
} from '../../../storage/index.js';
import { QueryEngine } from '../../../query/index.js';
import { MemoryCatalog } from '../support/memory-catalog.js';

/** One parsed record of an .slt file. */
export type SltRecord =
  | { readonly kind: 'statement'; readonly line: number; readonly sql: string; readonly error: boolean; readonly code: string | null }
  | { readonly kind: 'query'; readonly line: number; readonly sql: string; readonly types: string; readonly rowsort: boolean; readonly expected: readonly string[] }
  | { readonly kind: 'control'; readonly line: number; readonly setting: string; readonly value: string };

/** Splits an .slt text into records. */
export function parseSlt(text: string, file: string): SltRecord[] {
  const lines = text.split(/\r?\n/);
  const records: SltRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '' || line.trimStart().startsWith('#')) { i++; continue; }
    const start = i + 1;
    const words = line.trim().split(/\s+/);
    i++;
    const body: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && lines[i].trim() !== '----') body.push(lines[i++]);
    const sql = body.join('\n');
    if (words[0] === 'statement') {
      if (words[1] !== 'ok' && words[1] !== 'error') throw new Error(`${file}:${start}: statement ok or statement error expected`);
      records.push({ kind: 'statement', line: start, sql, error: words[1] === 'error', code: words[2] ?? null });
    } else if (words[0] === 'query') {
      const expected: string[] = [];
      if (lines[i]?.trim() === '----') {
        i++;
        while (i < lines.length && lines[i].trim() !== '') expected.push(lines[i++]);
      }
      records.push({ kind: 'query', line: start, sql, types: words[1] ?? '', rowsort: words.includes('rowsort'), expected });
    } else if (words[0] === 'control') {
      records.push({ kind: 'control', line: start, setting: words[1], value: words[2] });
    } else {
      throw new Error(`${file}:${start}: unknown record '${line.trim()}'`);
    }
  }
  return records;
}

function formatBigDecimal(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** Text of row i of a vector, as .slt files write it. */
export function formatValue(vector: Vector, i: number): string {
  if (vector.nulls !== null && vector.nulls[i] === 1) return 'NULL';
  if (vector.kind === 'string') {
    const text = vector.dictionary[vector.codes[i]];
    return text === '' ? '(empty)' : text;
  }
  const value = vector.values[i];
  const type: DataType = vector.type;
  if (typeof value === 'bigint') return formatBigDecimal(value, type.scale ?? 0);
  switch (type.id) {
    case 'boolean': return value === 1 ? 'true' : 'false';
    case 'decimal': return formatDecimal(value, type.scale ?? 0);
    case 'date': return formatDate(value);
    case 'timestamp': return formatTimestamp(value);
    case 'float64': {
      if (Number.isNaN(value)) return 'nan';
      if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
      const rounded = Math.round(value * 1e6) / 1e6;
      return String(Object.is(rounded, -0) ? 0 : rounded);
    }
    default: return String(value);
  }
}

function normalize(line: string): string {
  return line.trim().split(/\s+/).join(' ');
}

function rowsOf(batches: readonly Batch[]): string[] {
  const rows: string[] = [];
  for (const batch of batches) {
    for (let i = 0; i < batch.length; i++) rows.push(normalize(batch.columns.map((v) => formatValue(v, i)).join(' ')));
  }
  return rows;
}

const typeLetters: Readonly<Record<string, readonly string[]>> = {
  I: ['int16', 'int32', 'int64', 'boolean'],
  R: ['float64', 'decimal'],
  T: ['string', 'date', 'timestamp', 'boolean', 'interval'],
};

function checkTypes(record: Extract<SltRecord, { kind: 'query' }>, types: readonly DataType[], where: string): void {
  assert.equal(record.types.length, types.length, `${where}: query declares ${record.types.length} columns (${record.types}) but returns ${types.length}`);
  [...record.types].forEach((letter, c) => {
    const allowed = typeLetters[letter];
    assert.ok(allowed !== undefined, `${where}: unknown column type letter ${letter}`);
    assert.ok(allowed.includes(types[c].id), `${where}: column ${c + 1} is ${types[c].id}, which is not ${letter}`);
  });
}

/** Runs the records of one file against a fresh in-memory catalog; fails with file:line on the first mismatch. */
export async function runSlt(records: readonly SltRecord[], file: string): Promise<void> {
  const catalog = new MemoryCatalog();
  const engine = new QueryEngine(catalog);
  for (const record of records) {
    const where = `${file}:${record.line}`;
    if (record.kind === 'control') {
      assert.equal(record.setting, 'partition_rows', `${where}: unknown control ${record.setting}`);
      catalog.setPartitionRowsMax(Number(record.value));
      continue;
    }
    let result;
    try {
      result = await engine.execute(record.sql);
    } catch (error) {
      if (record.kind === 'statement' && record.error) {
        assert.ok(error instanceof StrataError, `${where}: expected a StrataError, got ${String(error)}`);
        if (record.code !== null) assert.equal(error.code, record.code, `${where}: wrong error code; message: ${error.message}`);
        continue;
      }
      throw new Error(`${where}: ${record.sql}\nfailed: ${error instanceof StrataError ? `${error.code}: ` : ''}${(error as Error).message}`, { cause: error });
    }
    if (record.kind === 'statement') {
      assert.ok(!record.error, `${where}: expected an error${record.code === null ? '' : ` ${record.code}`}, but the statement succeeded:\n${record.sql}`);
      continue;
    }
    checkTypes(record, result.schema.fields.map((f) => f.type), where);
    let actual = rowsOf(result.batches);
    let expected = record.expected.map(normalize);
    if (record.rowsort) {
      actual = [...actual].sort();
      expected = [...expected].sort();
    }
    assert.deepEqual(actual, expected, `${where}: wrong result for\n${record.sql}`);
  }
}
