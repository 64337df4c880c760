/**
 * The errors expression kernels raise, built in one place so codes and wording stay consistent.
 */
import { StrataError, typeToSql, type DataType } from '../../storage/index.js';

/** A value that does not convert to the target type of a CAST. */
export function invalidCast(value: string, from: DataType, to: DataType, reason = ''): StrataError {
  const why = reason === '' ? '' : ` (${reason})`;
  return new StrataError('input', 'INVALID_CAST',
    `cannot cast ${value} from ${typeToSql(from)} to ${typeToSql(to)}${why}; fix the value or use a wider type`,
    { value, from: typeToSql(from), to: typeToSql(to) });
}

/** A decimal result outside the exact range strata computes in. */
export function decimalOverflow(operation: string, type: DataType, value: string): StrataError {
  return new StrataError('input', 'DECIMAL_OVERFLOW',
    `decimal overflow in ${operation}: ${value} does not fit ${typeToSql(type)} (exact range is +-2^53 scaled units, ` +
    `or 64 bits for sums); cast an argument to DOUBLE or reduce the scale`,
    { operation, type: typeToSql(type), value });
}

/** An integer result or math function argument out of range (overflow, sqrt of a negative…). */
export function numericOutOfRange(operation: string, detail: string): StrataError {
  return new StrataError('input', 'NUMERIC_OUT_OF_RANGE',
    `${operation}: ${detail}; cast to a wider type (BIGINT, DOUBLE) or filter the offending rows`,
    { operation });
}

/** A construct the executor does not implement. */
export function executionNotSupported(construct: string, hint: string): StrataError {
  return new StrataError('not_supported', 'NOT_SUPPORTED', `${construct} is not supported by the executor; ${hint}`, { construct });
}

/** A plan the binder should never have produced (types that do not fit the function). */
export function badPlan(message: string): StrataError {
  return new StrataError('internal', 'ASSERTION_FAILED', `assertion failed: ${message}`);
}
