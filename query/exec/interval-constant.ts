/**
 * Constant intervals: vectors cannot hold (months, days, micros) triples, so interval values
 * exist only as constants — literals, casts of text ('1 year 2 months 3 days 04:05:06'),
 * negation, sums and multiples — and are applied to dates and timestamps by the arithmetic kernels.
 */
import type { Expr, IntervalValue } from '../plan/index.js';
import { executionNotSupported, invalidCast } from './exec-errors.js';
import { evaluateConstant } from './evaluate-expr.js';
import { scaleOf, tenTo } from './decimal.js';

const unitValues: Record<string, IntervalValue> = {
  millennium: { months: 12_000, days: 0, micros: 0 },
  century: { months: 1200, days: 0, micros: 0 },
  decade: { months: 120, days: 0, micros: 0 },
  year: { months: 12, days: 0, micros: 0 },
  quarter: { months: 3, days: 0, micros: 0 },
  month: { months: 1, days: 0, micros: 0 },
  week: { months: 0, days: 7, micros: 0 },
  day: { months: 0, days: 1, micros: 0 },
  hour: { months: 0, days: 0, micros: 3_600_000_000 },
  minute: { months: 0, days: 0, micros: 60_000_000 },
  second: { months: 0, days: 0, micros: 1_000_000 },
  millisecond: { months: 0, days: 0, micros: 1000 },
  microsecond: { months: 0, days: 0, micros: 1 },
};

const unitAliases: Record<string, string> = {
  millennia: 'millennium', centuries: 'century', decades: 'decade', years: 'year', y: 'year', yr: 'year', yrs: 'year',
  quarters: 'quarter', months: 'month', mon: 'month', mons: 'month', weeks: 'week', w: 'week', days: 'day', d: 'day',
  hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour', minutes: 'minute', min: 'minute', mins: 'minute', m: 'minute',
  seconds: 'second', s: 'second', sec: 'second', secs: 'second', milliseconds: 'millisecond', ms: 'millisecond',
  microseconds: 'microsecond', us: 'microsecond',
};

function scale(interval: IntervalValue, factor: number): IntervalValue {
  // Fractions of a month or day spill into smaller units, as DuckDB does for '1.5 days'.
  const months = interval.months * factor;
  const wholeMonths = Math.trunc(months);
  const days = interval.days * factor + (months - wholeMonths) * 30;
  const wholeDays = Math.trunc(days);
  const micros = Math.round(interval.micros * factor + (days - wholeDays) * 86_400_000_000);
  return { months: wholeMonths, days: wholeDays, micros };
}

function sum(a: IntervalValue, b: IntervalValue): IntervalValue {
  return { months: a.months + b.months, days: a.days + b.days, micros: a.micros + b.micros };
}

/** The interval written in text such as '1 year 2 months', '-3 days', '04:05:06.5', or null. */
export function parseInterval(text: string): IntervalValue | null {
  const tokens = text.trim().toLowerCase().split(/\s+/).filter((t) => t.length > 0);
  if (tokens.length === 0) return null;
  let result: IntervalValue = { months: 0, days: 0, micros: 0 };
  for (let i = 0; i < tokens.length; i++) {
    const clock = /^([+-]?)(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$/.exec(tokens[i]);
    if (clock !== null) {
      const sign = clock[1] === '-' ? -1 : 1;
      const micros = (Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4] ?? 0)) * 1_000_000;
      result = sum(result, { months: 0, days: 0, micros: sign * Math.round(micros) });
      continue;
    }
    const amount = Number(tokens[i]);
    const unitName = tokens[i + 1];
    if (!Number.isFinite(amount) || unitName === undefined) return null;
    const unit = unitValues[unitAliases[unitName] ?? unitName];
    if (unit === undefined) return null;
    result = sum(result, scale(unit, amount));
    i++;
  }
  return result;
}

/** Evaluates an interval-typed expression without column references. */
export function evaluateConstantInterval(expr: Expr): IntervalValue | null {
  if (expr.kind === 'literal') return expr.value as IntervalValue | null;
  if (expr.kind === 'cast') {
    const text = evaluateConstant(expr.expr);
    if (text === null) return null;
    if (typeof text === 'object') return text;
    const parsed = parseInterval(String(text));
    if (parsed === null) throw invalidCast(`'${String(text)}'`, expr.expr.type, expr.type, "write it as e.g. '1 year 2 months 3 days 04:05:06'");
    return parsed;
  }
  if (expr.kind === 'call') {
    const [a, b] = expr.args;
    const interval = (e: Expr): IntervalValue | null => evaluateConstantInterval(e);
    switch (expr.fn) {
      case 'negate': {
        const value = interval(a);
        return value === null ? null : scale(value, -1);
      }
      case 'add':
      case 'subtract': {
        const x = interval(a);
        const y = interval(b);
        if (x === null || y === null) return null;
        return sum(x, expr.fn === 'add' ? y : scale(y, -1));
      }
      case 'multiply':
      case 'divide': {
        const intervalFirst = a.type.id === 'interval';
        const value = interval(intervalFirst ? a : b);
        const factorExpr = intervalFirst ? b : a;
        const factor = evaluateConstant(factorExpr);
        if (value === null || factor === null) return null;
        // A decimal factor comes back as its scaled integer.
        const real = Number(factor) / tenTo(scaleOf(factorExpr.type));
        return scale(value, expr.fn === 'multiply' ? real : 1 / real);
      }
      default: break;
    }
  }
  throw executionNotSupported(`an INTERVAL computed by ${expr.kind === 'call' ? expr.fn : expr.kind}`,
    'use constant intervals (INTERVAL 3 MONTH, INTERVAL \'2 days\') in date and timestamp arithmetic');
}
