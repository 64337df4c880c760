/**
 * Boolean logic with SQL's three-valued NULL rules: false AND NULL is false, true OR NULL is
 * true, otherwise NULL poisons. Values under NULL rows are unspecified, so each kernel masks
 * them rather than trusting them.
 */
import { numericVector, type DataType, type NumericVector, type Vector } from '../../storage/index.js';

const booleanType: DataType = { id: 'boolean' };

/** a AND b over n rows. */
export function and(a: NumericVector, b: NumericVector, n: number): NumericVector {
  const av = a.values as Uint8Array;
  const bv = b.values as Uint8Array;
  const out = new Uint8Array(n);
  if (a.nulls === null && b.nulls === null) {
    for (let i = 0; i < n; i++) out[i] = av[i] & bv[i];
    return numericVector(booleanType, out);
  }
  const an = a.nulls ?? new Uint8Array(n);
  const bn = b.nulls ?? new Uint8Array(n);
  const nulls = new Uint8Array(n);
  let anyNull = 0;
  for (let i = 0; i < n; i++) {
    const aTrue = av[i] & (an[i] ^ 1);
    const bTrue = bv[i] & (bn[i] ^ 1);
    const falseSeen = ((av[i] ^ 1) & (an[i] ^ 1)) | ((bv[i] ^ 1) & (bn[i] ^ 1));
    out[i] = aTrue & bTrue;
    anyNull |= nulls[i] = (falseSeen ^ 1) & (an[i] | bn[i]);
  }
  return numericVector(booleanType, out, anyNull === 0 ? null : nulls);
}

/** a OR b over n rows. */
export function or(a: NumericVector, b: NumericVector, n: number): NumericVector {
  const av = a.values as Uint8Array;
  const bv = b.values as Uint8Array;
  const out = new Uint8Array(n);
  if (a.nulls === null && b.nulls === null) {
    for (let i = 0; i < n; i++) out[i] = av[i] | bv[i];
    return numericVector(booleanType, out);
  }
  const an = a.nulls ?? new Uint8Array(n);
  const bn = b.nulls ?? new Uint8Array(n);
  const nulls = new Uint8Array(n);
  let anyNull = 0;
  for (let i = 0; i < n; i++) {
    const trueSeen = (av[i] & (an[i] ^ 1)) | (bv[i] & (bn[i] ^ 1));
    out[i] = trueSeen;
    anyNull |= nulls[i] = (trueSeen ^ 1) & (an[i] | bn[i]);
  }
  return numericVector(booleanType, out, anyNull === 0 ? null : nulls);
}

/** NOT a (NULL stays NULL). */
export function not(a: NumericVector, n: number): NumericVector {
  const av = a.values as Uint8Array;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = av[i] ^ 1;
  return numericVector(booleanType, out, a.nulls);
}

/** a IS NULL (or IS NOT NULL when negated); never NULL itself. */
export function isNullMask(a: Vector, negated: boolean, n: number): NumericVector {
  const out = new Uint8Array(n);
  const nulls = a.nulls;
  const flip = negated ? 1 : 0;
  if (nulls === null) out.fill(flip);
  else for (let i = 0; i < n; i++) out[i] = nulls[i] ^ flip;
  return numericVector(booleanType, out);
}
