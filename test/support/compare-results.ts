/**
 * Compares strata's rows with the oracle's: integers, strings and dates exactly; decimals by
 * exact value (trailing zeros of the scale ignored); floating point to a relative tolerance.
 */

/** Relative tolerance for floating-point values (issue: 1e-9). */
export const floatRelativeTolerance = 1e-9;

const decimalText = /^-?\d+\.\d+$/;
const integerText = /^-?\d+$/;

function normalizeDecimal(text: string): string {
  const trimmed = text.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

function isFloatText(text: string): boolean {
  return /[eE]|^-?(Infinity|NaN)$/.test(text) || (/^-?\d+\.\d+$/.test(text) && text.replace(/^-?\d+\./, '').length > 10);
}

/** True when two cells hold the same value. `floating` says the column is floating point. */
export function sameCell(actual: string | null, expected: string | null, floating: boolean): boolean {
  if (actual === null || expected === null) return actual === expected;
  if (actual === expected) return true;
  const numeric = (decimalText.test(actual) || integerText.test(actual) || isFloatText(actual)) &&
    (decimalText.test(expected) || integerText.test(expected) || isFloatText(expected));
  if (!numeric) return false;
  if (floating || isFloatText(actual) || isFloatText(expected)) {
    const a = Number(actual);
    const b = Number(expected);
    return Math.abs(a - b) <= floatRelativeTolerance * Math.max(Math.abs(a), Math.abs(b), 1e-300);
  }
  return normalizeDecimal(actual) === normalizeDecimal(expected);
}

/** Describes the first difference between two row lists, or returns null when they match. */
export function diffRows(actual: (string | null)[][], expected: (string | null)[][], floatingColumns: readonly boolean[], ordered: boolean): string | null {
  let left = actual;
  let right = expected;
  if (!ordered) {
    const key = (row: (string | null)[]) => JSON.stringify(row.map((cell, i) => (floatingColumns[i] ? null : cell === null ? null : normalizeDecimal(cell))));
    left = [...actual].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    right = [...expected].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  if (left.length !== right.length) return `row count ${left.length}, expected ${right.length}`;
  for (let r = 0; r < left.length; r++) {
    if (left[r].length !== right[r].length) return `row ${r}: ${left[r].length} columns, expected ${right[r].length}`;
    for (let c = 0; c < left[r].length; c++) {
      if (!sameCell(left[r][c], right[r][c], floatingColumns[c])) {
        return `row ${r} column ${c}: got ${JSON.stringify(left[r][c])}, expected ${JSON.stringify(right[r][c])}\n` +
          `  row got:      ${JSON.stringify(left[r])}\n  row expected: ${JSON.stringify(right[r])}`;
      }
    }
  }
  return null;
}

/** Cells of a client result as text (NULL stays null), the form DuckDB oracle rows come in. */
export function asText(rows: readonly (readonly unknown[])[]): (string | null)[][] {
  return rows.map((row) => row.map((value) => (value === null ? null : String(value))));
}
