/**
 * SQL type names → strata data types, for CREATE TABLE and CAST. Names follow PostgreSQL and
 * DuckDB spellings; DECIMAL precision is capped at 18 because stored decimals are exact only
 * within ±2^53.
 */
import { Types, storedDecimalPrecisionMax, type DataType } from '../../storage/index.js';
import type { SqlTypeName } from './ast.js';
import type { SourceText } from './source-text.js';
import { decimalDefaultPrecision, decimalDefaultScale } from './type-rules.js';

const simpleTypes: Readonly<Record<string, DataType>> = {
  BOOLEAN: Types.boolean, BOOL: Types.boolean,
  SMALLINT: Types.int16, INT2: Types.int16,
  INT: Types.int32, INTEGER: Types.int32, INT4: Types.int32,
  BIGINT: Types.int64, INT8: Types.int64,
  REAL: Types.float64, FLOAT: Types.float64, FLOAT4: Types.float64, FLOAT8: Types.float64,
  DOUBLE: Types.float64, 'DOUBLE PRECISION': Types.float64,
  DATE: Types.date,
  TIMESTAMP: Types.timestamp, DATETIME: Types.timestamp, 'TIMESTAMP WITHOUT TIME ZONE': Types.timestamp,
};

const stringTypes = new Set(['VARCHAR', 'CHAR', 'CHARACTER', 'CHARACTER VARYING', 'TEXT', 'STRING', 'BPCHAR']);

/** The supported type names, for error messages. */
export const supportedTypeNames = 'BOOLEAN, SMALLINT, INTEGER, BIGINT, REAL, DOUBLE, DECIMAL(p,s) with p <= 18, DATE, TIMESTAMP, CHAR(n), VARCHAR(n), TEXT';

/** The data type a type name denotes; NOT_SUPPORTED for unknown names, INVALID_TYPE for bad parameters. */
export function typeFromName(type: SqlTypeName, source: SourceText): DataType {
  const simple = simpleTypes[type.name];
  if (simple !== undefined) return simple;
  if (stringTypes.has(type.name)) return type.length === null ? Types.string : { id: 'string', length: type.length };
  if (type.name === 'DECIMAL' || type.name === 'NUMERIC' || type.name === 'DEC') {
    const precision = type.length ?? decimalDefaultPrecision;
    const scale = type.scale ?? (type.length === null ? decimalDefaultScale : 0);
    if (precision > storedDecimalPrecisionMax) {
      throw source.error('not_supported', 'NOT_SUPPORTED',
        `${type.name}(${precision},${scale}) is not supported: decimal columns hold at most ${storedDecimalPrecisionMax} digits (exact within ±2^53); use DECIMAL(18,${Math.min(scale, 18)}) or DOUBLE`, type.pos);
    }
    if (precision < 1 || scale < 0 || scale > precision) {
      throw source.error('plan', 'INVALID_TYPE', `${type.name}(${precision},${scale}) is invalid: the scale must be between 0 and the precision, and the precision at least 1`, type.pos);
    }
    return Types.decimal(precision, scale);
  }
  throw source.error('not_supported', 'NOT_SUPPORTED', `type ${type.name} is not supported; use one of ${supportedTypeNames}`, type.pos);
}
