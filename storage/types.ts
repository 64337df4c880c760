/**
 * SQL data types and schemas shared by every layer.
 *
 * In memory every type has one representation (see vector.ts); on disk the partition writer
 * picks the narrowest Arrow type that holds a chunk's values.
 */

/** Type identifiers strata supports. */
export type TypeId =
  | 'boolean'
  | 'int16' // SMALLINT
  | 'int32' // INTEGER
  | 'int64' // BIGINT: exact within +-2^53 (held as float64 in memory; larger values are rejected at ingest)
  | 'float64' // DOUBLE / REAL / FLOAT
  | 'decimal' // DECIMAL(p,s): scaled integer; stored columns p <= 18 (values within +-2^53), computed sums p 38
  | 'date' // days since 1970-01-01
  | 'timestamp' // microseconds since 1970-01-01 00:00:00 UTC, no time zone
  | 'interval' // only as an expression value (never stored): months, days, microseconds
  | 'string'; // VARCHAR / CHAR / TEXT (UTF-8)

/** A SQL data type. precision/scale only for decimal; length only for CHAR(n)/VARCHAR(n). */
export interface DataType {
  readonly id: TypeId;
  readonly precision?: number;
  readonly scale?: number;
  /** Declared CHAR/VARCHAR length, kept for DESCRIBE; values are not padded or truncated. */
  readonly length?: number;
}

/** A named, typed column. */
export interface Field {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
}

/** An ordered list of fields. */
export interface Schema {
  readonly fields: readonly Field[];
}

/** Largest integer a float64 holds exactly; int64 and decimal values beyond it are refused. */
export const exactIntegerMax = Number.MAX_SAFE_INTEGER;

/** Largest precision of a stored DECIMAL column (held as float64 scaled integers). */
export const storedDecimalPrecisionMax = 18;

/** Constructors for the common types. */
export const Types = {
  boolean: { id: 'boolean' } as DataType,
  int16: { id: 'int16' } as DataType,
  int32: { id: 'int32' } as DataType,
  int64: { id: 'int64' } as DataType,
  float64: { id: 'float64' } as DataType,
  date: { id: 'date' } as DataType,
  timestamp: { id: 'timestamp' } as DataType,
  interval: { id: 'interval' } as DataType,
  string: { id: 'string' } as DataType,
  decimal(precision: number, scale: number): DataType {
    return { id: 'decimal', precision, scale };
  },
};

/** SQL spelling of a type, as DESCRIBE and error messages show it. */
export function typeToSql(type: DataType): string {
  switch (type.id) {
    case 'boolean': return 'BOOLEAN';
    case 'int16': return 'SMALLINT';
    case 'int32': return 'INTEGER';
    case 'int64': return 'BIGINT';
    case 'float64': return 'DOUBLE';
    case 'decimal': return `DECIMAL(${type.precision},${type.scale})`;
    case 'date': return 'DATE';
    case 'timestamp': return 'TIMESTAMP';
    case 'interval': return 'INTERVAL';
    case 'string': return type.length === undefined ? 'VARCHAR' : `VARCHAR(${type.length})`;
  }
}

/** True when two types are the same SQL type (string lengths ignored). */
export function sameType(a: DataType, b: DataType): boolean {
  if (a.id !== b.id) return false;
  if (a.id === 'decimal') return a.precision === b.precision && a.scale === b.scale;
  return true;
}
