/** Validation of a table schema before it is written into a create commit. */
import { StrataError } from './errors.js';
import { storedDecimalPrecisionMax, typeToSql, type Field, type Schema } from './types.js';

/** Most columns a table may have: far beyond real machine-data schemas, bounds metadata sizes. */
export const tableColumnsMax = 4096;

/** Throws input SCHEMA_INVALID unless every column has a unique name and a storable type. */
export function validateTableSchema(schema: Schema, table: string): void {
  const fields = schema?.fields;
  if (!Array.isArray(fields) || fields.length === 0 || fields.length > tableColumnsMax) {
    throw schemaInvalid(table, `a table needs from 1 to ${tableColumnsMax} columns`);
  }
  const seen = new Set<string>();
  for (const field of fields) {
    if (typeof field?.name !== 'string' || field.name.length === 0) throw schemaInvalid(table, 'every column needs a non-empty name');
    const lower = field.name.toLowerCase();
    if (seen.has(lower)) throw schemaInvalid(table, `column '${field.name}' appears twice (column names are case-insensitive)`);
    seen.add(lower);
    checkStorable(table, field);
  }
}

function checkStorable(table: string, field: Field): void {
  const type = field.type;
  if (type.id === 'interval') throw schemaInvalid(table, `column '${field.name}': INTERVAL values cannot be stored; store a BIGINT of microseconds`);
  if (type.id === 'decimal') {
    const precision = type.precision ?? -1;
    const scale = type.scale ?? -1;
    if (!Number.isInteger(precision) || precision < 1 || precision > storedDecimalPrecisionMax || !Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw schemaInvalid(table, `column '${field.name}' is ${typeToSql(type)}: stored decimals need 1 <= precision <= ${storedDecimalPrecisionMax} and 0 <= scale <= precision`);
    }
  }
  const known = ['boolean', 'int16', 'int32', 'int64', 'float64', 'decimal', 'date', 'timestamp', 'string'];
  if (!known.includes(type.id)) throw schemaInvalid(table, `column '${field.name}' has unknown type '${String(type.id)}'`);
}

function schemaInvalid(table: string, problem: string): StrataError {
  return new StrataError('input', 'SCHEMA_INVALID', `invalid schema for table ${table}: ${problem}`, { table });
}
