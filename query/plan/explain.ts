/**
 * Text rendering of logical plans and expressions for EXPLAIN: one line per node, children
 * indented by two spaces; scans show the columns they read, the filters pushed into them and
 * how many partitions pruning left of the table's total. EXPLAIN ANALYZE adds, per scan, what it
 * actually read: partitions, record batches read and skipped from their zone maps, rows.
 */
import { formatDate, formatDecimal, formatTimestamp, typeToSql } from '../../storage/index.js';
import type { AggregateExpr, Call, Expr, FrameBound, IntervalValue, Literal, WindowExpr } from './expr.js';
import type { Join, LogicalPlan, Scan, SortKey } from './logical-plan.js';
import { planInputs } from './plan-utils.js';

const infixOperators: Readonly<Record<string, string>> = {
  add: '+', subtract: '-', multiply: '*', divide: '/', integer_divide: '//', modulo: '%',
  eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=', and: 'AND', or: 'OR',
};

function formatInterval(value: IntervalValue): string {
  const parts: string[] = [];
  if (value.months !== 0) parts.push(`${value.months} month${Math.abs(value.months) === 1 ? '' : 's'}`);
  if (value.days !== 0) parts.push(`${value.days} day${Math.abs(value.days) === 1 ? '' : 's'}`);
  if (value.micros !== 0 || parts.length === 0) parts.push(`${value.micros / 1_000_000} seconds`);
  return `INTERVAL '${parts.join(' ')}'`;
}

/** SQL-like text of a literal. */
export function formatLiteral(value: Literal): string {
  const v = value.value;
  if (v === null) return 'NULL';
  switch (value.type.id) {
    case 'string': return `'${String(v).split("'").join("''")}'`;
    case 'boolean': return v ? 'true' : 'false';
    case 'date': return `DATE '${formatDate(Number(v))}'`;
    case 'timestamp': return `TIMESTAMP '${formatTimestamp(Number(v))}'`;
    case 'decimal': return formatDecimal(Number(v), value.type.scale ?? 0);
    case 'interval': return formatInterval(v as IntervalValue);
    default: return String(v);
  }
}

function isInfix(expr: Expr): boolean {
  return expr.kind === 'call' && infixOperators[expr.fn] !== undefined;
}

function formatOperand(expr: Expr): string {
  const text = formatExpr(expr);
  return isInfix(expr) || expr.kind === 'in_list' || expr.kind === 'like' || expr.kind === 'is_null' ? `(${text})` : text;
}

function formatCall(expr: Call): string {
  const infix = infixOperators[expr.fn];
  if (infix !== undefined) return expr.args.map(formatOperand).join(` ${infix} `);
  if (expr.fn === 'not') return `NOT ${formatOperand(expr.args[0])}`;
  if (expr.fn === 'negate') return `-${formatOperand(expr.args[0])}`;
  return `${expr.fn}(${expr.args.map(formatExpr).join(', ')})`;
}

/** SQL-like text of a bound expression. */
export function formatExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'column': return expr.name;
    case 'literal': return formatLiteral(expr);
    case 'call': return formatCall(expr);
    case 'case': {
      const whens = expr.whens.map((arm) => ` WHEN ${formatExpr(arm.when)} THEN ${formatExpr(arm.then)}`).join('');
      return `CASE${whens}${expr.otherwise === null ? '' : ` ELSE ${formatExpr(expr.otherwise)}`} END`;
    }
    case 'cast': return `CAST(${formatExpr(expr.expr)} AS ${typeToSql(expr.type)})`;
    case 'in_list': return `${formatOperand(expr.expr)} ${expr.negated ? 'NOT IN' : 'IN'} (${expr.list.map(formatExpr).join(', ')})`;
    case 'like': {
      const op = `${expr.negated ? 'NOT ' : ''}${expr.caseInsensitive ? 'ILIKE' : 'LIKE'}`;
      const escape = expr.escape === null ? '' : ` ESCAPE '${expr.escape}'`;
      return `${formatOperand(expr.expr)} ${op} ${formatOperand(expr.pattern)}${escape}`;
    }
    case 'is_null': return `${formatOperand(expr.expr)} IS ${expr.negated ? 'NOT ' : ''}NULL`;
  }
}

/** Text of an aggregate call. */
export function formatAggregate(aggregate: AggregateExpr): string {
  const filter = aggregate.filter === null ? '' : ` FILTER (WHERE ${formatExpr(aggregate.filter)})`;
  if (aggregate.fn === 'count_star') return `count(*)${filter}`;
  const arg = aggregate.arg === null ? '' : formatExpr(aggregate.arg);
  return `${aggregate.fn}(${aggregate.distinct ? 'DISTINCT ' : ''}${arg})${filter}`;
}

function formatSortKey(key: SortKey): string {
  return `${formatExpr(key.expr)} ${key.ascending ? 'ASC' : 'DESC'}${key.nullsFirst ? ' NULLS FIRST' : ''}`;
}

function formatBound(bound: FrameBound): string {
  switch (bound.kind) {
    case 'unbounded_preceding': return 'UNBOUNDED PRECEDING';
    case 'unbounded_following': return 'UNBOUNDED FOLLOWING';
    case 'current_row': return 'CURRENT ROW';
    case 'preceding': return `${bound.offset} PRECEDING`;
    case 'following': return `${bound.offset} FOLLOWING`;
  }
}

/** Text of a window function call with its OVER clause. */
export function formatWindow(window: WindowExpr): string {
  const parts: string[] = [];
  if (window.partitionBy.length > 0) parts.push(`PARTITION BY ${window.partitionBy.map(formatExpr).join(', ')}`);
  if (window.orderBy.length > 0) parts.push(`ORDER BY ${window.orderBy.map(formatSortKey).join(', ')}`);
  const { units, start, end } = window.frame;
  parts.push(`${units.toUpperCase()} BETWEEN ${formatBound(start)} AND ${formatBound(end)}`);
  const args = window.fn === 'count_star' ? '*' : window.args.map(formatExpr).join(', ');
  return `${window.fn === 'count_star' ? 'count' : window.fn}(${args}) OVER (${parts.join(' ')})`;
}

function describeJoin(plan: Join): string {
  const keys = plan.leftKeys.map((key, i) => `${formatExpr(key)} = ${formatExpr(plan.rightKeys[i])}`);
  const cross = plan.joinType === 'inner' && keys.length === 0 && plan.filter === null;
  const parts = [cross ? 'CrossJoin' : `HashJoin: ${plan.joinType}${plan.nullAware ? ' null-aware' : ''}`];
  if (keys.length > 0) parts.push(`keys=${list(keys)}`);
  if (plan.filter !== null) parts.push(`filter=${formatExpr(plan.filter)}`);
  if (plan.distribution !== undefined) parts.push(`distribution=${plan.distribution}`);
  return parts.join(' ');
}

function list(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

/** True when the fragment's join (below its single-input operators) is a shuffle join. */
function reducesShuffle(plan: LogicalPlan): boolean {
  if (plan.kind === 'join') return plan.distribution === 'shuffle';
  const inputs = planInputs(plan);
  return inputs.length === 1 && reducesShuffle(inputs[0]);
}

/** What an exchange does: plain gather, a merge of sorted partitions, or one of a shuffle join's two stages. */
function describeExchange(plan: Extract<LogicalPlan, { kind: 'exchange' }>, parent: LogicalPlan | null): string {
  if (parent?.kind === 'join' && parent.distribution === 'shuffle') {
    return 'Exchange: shuffle map (each node reads its share of the partitions and splits the rows into buckets by the join keys)';
  }
  if (reducesShuffle(plan.fragment)) {
    return 'Exchange: shuffle reduce (each node joins whole buckets of both sides, fetched from every node, and runs the operators above the join; the coordinator gathers)';
  }
  if (plan.mergeKeys !== undefined) {
    return `Exchange: merge sorted streams by ${plan.mergeKeys.map(formatSortKey).join(', ')} (each node sorts every partition it reads; the coordinator k-way merges the partitions)`;
  }
  return 'Exchange: gather from every live node (the fragment below runs on each over its share of the partitions)';
}

/** The one-line description of a plan node (without its inputs); `parent` names a shuffle's stages. */
export function describeNode(plan: LogicalPlan, parent: LogicalPlan | null = null): string {
  switch (plan.kind) {
    case 'scan': {
      const columns = plan.projection.map((i) => plan.tableSchema.fields[i].name);
      const read = plan.partitions === null ? plan.partitionsTotal : plan.partitions.length;
      const filters = plan.filters.length === 0 ? '' : ` filters=${list(plan.filters.map(formatExpr))}`;
      return `Scan: ${plan.table} projection=${list(columns)}${filters} partitions=${read}/${plan.partitionsTotal} (${plan.partitionsTotal - read} pruned)`;
    }
    case 'filter': return `Filter: ${formatExpr(plan.predicate)}`;
    case 'project': return `Project: ${plan.exprs.map((e, i) => {
      const text = formatExpr(e);
      const name = plan.schema.fields[i].name;
      return text === name ? text : `${text} AS ${name}`;
    }).join(', ')}`;
    case 'aggregate': return `Aggregate: groupBy=${list(plan.groupBy.map(formatExpr))} aggregates=${list(plan.aggregates.map(formatAggregate))}`;
    case 'sort': return `Sort: ${plan.keys.map(formatSortKey).join(', ')}`;
    case 'limit': return `Limit: limit=${plan.limit ?? 'none'} offset=${plan.offset}`;
    case 'top_n': return `TopN: ${plan.keys.map(formatSortKey).join(', ')} limit=${plan.limit} offset=${plan.offset}`;
    case 'distinct': return 'Distinct';
    case 'values': return `Values: ${plan.rows.length} row${plan.rows.length === 1 ? '' : 's'}`;
    case 'exchange': return describeExchange(plan, parent);
    case 'join': return describeJoin(plan);
    case 'set_operation': return `${plan.op[0].toUpperCase()}${plan.op.slice(1)}${plan.all ? ' all' : ''}`;
    case 'window': return `Window: ${plan.windows.map(formatWindow).join(', ')}`;
  }
}

/** The plan as indented lines, root first. */
export function explainPlan(plan: LogicalPlan, indent = 0, lines: string[] = [], parent: LogicalPlan | null = null): string[] {
  lines.push(`${'  '.repeat(indent)}${describeNode(plan, parent)}`);
  for (const input of planInputs(plan)) explainPlan(input, indent + 1, lines, plan);
  return lines;
}

/** What one scan actually read (the physical scan's counts; plan/ states the shape it needs). */
export interface ScanActuals {
  readonly partitionsRead: number;
  readonly batchesRead: number;
  readonly batchesSkipped: number;
  readonly rowsRead: number;
  readonly rowsOut: number;
  /** Counted on other nodes, which report no rows out. */
  readonly remote?: boolean;
  /** The operator above applies the scan's filters: rows out are before them. */
  readonly filtersAbove?: boolean;
}

/** The `actual:` suffix of a scan line in EXPLAIN ANALYZE. */
export function formatScanActuals(scan: Scan, actuals: ScanActuals | null): string {
  if (actuals === null) return ' actual: not run';
  const batches = `batches read=${actuals.batchesRead} skipped=${actuals.batchesSkipped}`;
  const out = actuals.remote === true ? '' : ` out=${actuals.rowsOut}${actuals.filtersAbove === true ? ' (filters applied above)' : ''}`;
  const rows = `rows read=${actuals.rowsRead}${out}`;
  return ` actual: partitions read=${actuals.partitionsRead}/${scan.partitionsTotal}, ${batches}, ${rows}`;
}

/** The plan as indented lines for EXPLAIN ANALYZE: each scan line ends with what `actualsOf` says it read. */
export function explainPlanAnalyzed(plan: LogicalPlan, actualsOf: (scan: Scan) => ScanActuals | null, indent = 0, lines: string[] = [], parent: LogicalPlan | null = null): string[] {
  const suffix = plan.kind === 'scan' ? formatScanActuals(plan, actualsOf(plan)) : '';
  lines.push(`${'  '.repeat(indent)}${describeNode(plan, parent)}${suffix}`);
  for (const input of planInputs(plan)) explainPlanAnalyzed(input, actualsOf, indent + 1, lines, plan);
  return lines;
}

/** The counts a query summary line shows (QueryStats, or the summary a node sends). */
export interface SummaryCounts {
  readonly elapsedMs: number;
  readonly partitionsScanned: number;
  readonly partitionsTotal: number;
  readonly batchesRead: number;
  readonly batchesSkipped: number;
}

/**
 * A query's summary in one line, as the CLI prints it and EXPLAIN ANALYZE ends with:
 * `12,345 rows in 0.21 s; partitions 3/40, batches 10/180 read` (batches of the partitions read;
 * those not read were skipped by their zone maps).
 */
export function summaryLine(rows: number, counts: SummaryCounts): string {
  const count = (value: number) => value.toLocaleString('en-US');
  const batchesTotal = counts.batchesRead + counts.batchesSkipped;
  return `${count(rows)} row${rows === 1 ? '' : 's'} in ${(counts.elapsedMs / 1000).toFixed(2)} s; ` +
    `partitions ${count(counts.partitionsScanned)}/${count(counts.partitionsTotal)}, batches ${count(counts.batchesRead)}/${count(batchesTotal)} read`;
}
