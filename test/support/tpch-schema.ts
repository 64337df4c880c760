/** The TPC-H tables' DDL, from schema.sql beside the data: every test that loads TPC-H creates its tables with it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tpchDirectory } from './paths.js';

/** The CREATE TABLE statement of one TPC-H table (without its ';'). */
export function tpchCreateTable(table: string): string {
  const statement = new RegExp(`create\\s+table\\s+${table}\\b[^;]*`, 'i').exec(readFileSync(join(tpchDirectory, 'schema.sql'), 'utf8'));
  assert.ok(statement, `schema.sql has no table ${table}`);
  return statement[0].trim();
}
