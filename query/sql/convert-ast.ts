/**
 * Converts node-sql-parser statement and query nodes into strata's SQL AST (ast.ts). Clauses
 * are visited in the order they are written so the Locator can place every node.
 */
import type { RawNode } from './pg-parser.js';
import { Locator } from './locator.js';
import type { SourceText } from './source-text.js';
import type { Token } from './lexer.js';
import { convertExpr, convertTypeName, identifierName, type ConvertContext, type RewriteHints } from './convert-expr.js';
import type {
  SqlAsOf, SqlColumnDefinition, SqlCommonTable, SqlExpr, SqlFromItem, SqlJoinType, SqlOrderItem, SqlQuery,
  SqlSelect, SqlSelectItem, SqlSetOperation, SqlStatement,
} from './ast.js';

/** Converts one parsed statement; `tokens` are the statement's tokens (for positions). */
export function convertStatement(raw: RawNode, source: SourceText, tokens: readonly Token[], hints: RewriteHints): SqlStatement {
  const context = new StatementConverter(source, new Locator(tokens, source.text.length), hints);
  return context.statement(raw);
}

class StatementConverter implements ConvertContext {
  readonly source: SourceText;
  readonly locator: Locator;
  readonly hints: RewriteHints;

  constructor(source: SourceText, locator: Locator, hints: RewriteHints) {
    this.source = source;
    this.locator = locator;
    this.hints = hints;
  }

  statement(raw: RawNode): SqlStatement {
    const pos = this.locator.here();
    switch (raw.type) {
      case 'select': return { kind: 'query', query: this.convertQuery(raw), pos };
      case 'create': return this.createTable(raw, pos);
      case 'drop': return this.dropTable(raw, pos);
      case 'insert': return this.insert(raw, pos);
      case 'delete': return this.delete(raw, pos);
      default: throw this.unsupported(`${String(raw.type).toUpperCase()} statements are not supported`, pos);
    }
  }

  private unsupported(message: string, pos: number): Error {
    return this.source.error('not_supported', 'NOT_SUPPORTED', message, pos);
  }

  expr(raw: RawNode): SqlExpr {
    return convertExpr(raw, this);
  }

  /**
   * A SELECT or a chain of set operations. The parser chains them through _next, left to right;
   * they are folded with INTERSECT binding tighter than UNION and EXCEPT (SQL), and an ORDER BY /
   * LIMIT written after the last unparenthesized SELECT applies to the whole result.
   */
  convertQuery(raw: RawNode): SqlQuery {
    if (raw._next === undefined || raw._next === null) return this.select(raw, false);
    const selects: SqlSelect[] = [];
    const operators: { op: SqlSetOperation['op']; all: boolean; pos: number }[] = [];
    let node: RawNode | null = raw;
    while (node !== null && node !== undefined) {
      const last: boolean = node._next === undefined || node._next === null;
      selects.push(this.select(node, last && node.parentheses_symbol !== true));
      if (last) break;
      const words = String(node.set_op ?? 'union').toLowerCase().split(/\s+/);
      const pos = this.locator.word(words[0]);
      operators.push({ op: words[0] as SqlSetOperation['op'], all: words.includes('all') || this.hints.allSetOperations.has(pos), pos });
      node = node._next;
    }
    const lastRaw = selects.length > 0 ? this.lastOfChain(raw) : raw;
    const tail = lastRaw.parentheses_symbol === true
      ? { orderBy: this.orderBy(raw._orderby), ...this.limit(raw._limit) }
      : { orderBy: this.orderBy(lastRaw.orderby), ...this.limit(lastRaw.limit) };
    return { ...foldSetOperations(selects, operators), ...tail } as SqlQuery;
  }

  private lastOfChain(raw: RawNode): RawNode {
    let node = raw;
    while (node._next !== undefined && node._next !== null) node = node._next;
    return node;
  }

  private select(raw: RawNode, withoutOrderAndLimit: boolean): SqlSelect {
    const withs = raw.with === null || raw.with === undefined ? [] : (raw.with as RawNode[]).map((w) => this.commonTable(w));
    const pos = this.locator.word('select');
    this.rejectUnsupportedClauses(raw, pos);
    const distinct = typeof raw.distinct?.type === 'string' && raw.distinct.type.toUpperCase() === 'DISTINCT';
    const items = this.selectItems(raw.columns);
    const from = raw.from === null || raw.from === undefined ? [] : this.fromItems(raw.from as RawNode[]);
    const where = this.optionalClause('where', raw.where);
    const groupBy = this.groupBy(raw.groupby);
    const having = this.optionalClause('having', raw.having);
    if (withoutOrderAndLimit) return { kind: 'select', with: withs, distinct, items, from, where, groupBy, having, orderBy: [], limit: null, offset: null, pos };
    const orderBy = this.orderBy(raw.orderby);
    const { limit, offset } = this.limit(raw.limit);
    return { kind: 'select', with: withs, distinct, items, from, where, groupBy, having, orderBy, limit, offset, pos };
  }

  /** Clauses the parser accepts that strata has no AST for: reject rather than ignore them. */
  private rejectUnsupportedClauses(raw: RawNode, pos: number): void {
    const distinctType = typeof raw.distinct?.type === 'string' ? raw.distinct.type.toUpperCase() : null;
    if (distinctType !== null && distinctType !== 'DISTINCT') throw this.unsupported(`SELECT ${distinctType} is not supported`, pos);
    if (raw.into?.position !== null && raw.into?.position !== undefined) throw this.unsupported('SELECT … INTO is not supported; use INSERT INTO … SELECT', pos);
    if (raw.window !== null && raw.window !== undefined) throw this.unsupported('named windows (WINDOW …) are not supported yet', pos);
  }

  private commonTable(raw: RawNode): SqlCommonTable {
    const name = identifierName(raw.name);
    const pos = this.locator.identifier(name);
    if (raw.recursive === true) throw this.unsupported('WITH RECURSIVE is not supported', pos);
    const columns = ((raw.columns ?? []) as RawNode[]).map((c) => identifierName(c?.type === 'column_ref' ? c.column : c));
    for (const column of columns) this.locator.identifier(column);
    const statement = raw.stmt?.ast ?? raw.stmt;
    return { name, columns, query: this.convertQuery(statement), pos };
  }

  private optionalClause(keyword: string, raw: RawNode | null | undefined): SqlExpr | null {
    if (raw === null || raw === undefined) return null;
    this.locator.word(keyword);
    return this.expr(raw);
  }

  private selectItems(raw: unknown): SqlSelectItem[] {
    if (raw === '*') return [{ kind: 'star', table: null, pos: this.locator.operator('*') }];
    return (raw as RawNode[]).map((item) => {
      const expr = this.expr(item.expr);
      if (expr.kind === 'star') return { kind: 'star', table: expr.table, pos: expr.pos };
      const alias = item.as === null || item.as === undefined ? null : identifierName(item.as);
      if (alias !== null) this.locator.identifier(alias);
      return { kind: 'expr', expr, alias, pos: expr.pos };
    });
  }

  private fromItems(raw: readonly RawNode[]): SqlFromItem[] {
    this.locator.word('from');
    return this.joinList(raw);
  }

  /** FROM items left to right, each join folding into the item before it. */
  private joinList(raw: readonly RawNode[]): SqlFromItem[] {
    const items: SqlFromItem[] = [];
    for (const node of raw) {
      if (node.type === 'dual') continue;
      const joinKeyword = typeof node.join === 'string' ? node.join.toUpperCase() : null;
      if (joinKeyword === null || items.length === 0) {
        items.push(this.fromItem(node));
        continue;
      }
      const left = items.pop() as SqlFromItem;
      const joinPos = this.locator.word('join');
      const right = this.fromItem(node);
      const on = node.on === null || node.on === undefined ? null : this.optionalClause('on', node.on);
      const using = ((node.using ?? []) as unknown[]).map((u) => identifierName(u));
      const type = this.hints.crossJoins.has(joinPos) ? 'cross' : joinType(joinKeyword);
      if (type === 'cross' && (on !== null || using.length > 0)) throw this.source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: CROSS JOIN takes no ON or USING condition', joinPos);
      if (type !== 'cross' && on === null && using.length === 0) {
        throw this.source.error('syntax', 'SQL_SYNTAX_ERROR', 'syntax error: JOIN needs ON <condition> or USING (columns); write CROSS JOIN for a cross product', joinPos);
      }
      items.push({ kind: 'join', joinType: type, left, right, on, using, pos: joinPos });
    }
    return items;
  }

  private fromItem(node: RawNode): SqlFromItem {
    if (node.expr?.type === 'tables' && Array.isArray(node.expr.expr)) {
      // A parenthesized join: (a JOIN b ON …).
      const inner = this.joinList(node.expr.expr as RawNode[]);
      if (inner.length !== 1 || (node.as !== null && node.as !== undefined)) throw this.unsupported('this parenthesized FROM item is not supported', this.locator.here());
      return inner[0];
    }
    if (node.expr?.ast !== undefined) {
      const pos = this.locator.word('select');
      const query = this.convertQuery(node.expr.ast);
      const { alias, columnAliases } = this.aliasOf(node.as);
      return { kind: 'derived', query, alias, columnAliases, pos };
    }
    if (typeof node.table !== 'string') throw this.unsupported('this kind of FROM item is not supported', this.locator.here());
    if (node.tablesample !== null && node.tablesample !== undefined) throw this.unsupported('TABLESAMPLE is not supported', this.locator.here());
    const table = this.tableName(node);
    const { alias, columnAliases } = this.aliasOf(node.as);
    return { ...table, alias, columnAliases };
  }

  /** A table's name, schema and position, with the AS OF written after it (hints.asOf). */
  private tableName(node: RawNode): { kind: 'table'; name: string; schema: string | null; pos: number; asOf?: SqlAsOf } {
    const name = String(node.table);
    const schema = node.db === null || node.db === undefined ? null : String(node.db);
    const pos = schema === null ? this.locator.identifier(name) : this.locator.identifier(schema);
    const namePos = schema === null ? pos : this.locator.identifier(name);
    const asOf = this.hints.asOf?.get(namePos);
    if (asOf === undefined) return { kind: 'table', name, schema, pos };
    this.hints.asOfUsed?.add(namePos);
    return { kind: 'table', name, schema, pos, asOf };
  }

  /**
   * The name a CREATE, DROP or INSERT changes: unqualified or main./public. only. A system table
   * is read-only, and dropping the schema silently could change a user table of the same name.
   */
  private writableName(node: RawNode, verb: string): string {
    const name = String(node.table);
    const schema = node.db === null || node.db === undefined ? null : String(node.db);
    if (schema === null || ['main', 'public'].includes(schema.toLowerCase())) return name;
    const pos = this.locator.identifier(schema);
    if (schema.toLowerCase() === 'system') {
      throw this.source.error('plan', 'TABLE_READ_ONLY', `system.${name} is a read-only system table; ${verb} applies to your own tables only`, pos);
    }
    throw this.source.error('not_found', 'TABLE_NOT_FOUND', `schema ${schema} does not exist (tables live unqualified; the only other schema is system, which is read-only): write ${name} without ${schema}.`, pos);
  }

  private delete(raw: RawNode, pos: number): SqlStatement {
    if (raw.returning) throw this.unsupported('DELETE … RETURNING is not supported', pos);
    const targets = (raw.from ?? raw.table ?? []) as RawNode[];
    if (targets.length !== 1 || typeof targets[0].table !== 'string') {
      throw this.unsupported('DELETE takes one table (DELETE FROM t WHERE …); USING and joins are not supported', pos);
    }
    this.locator.word('from');
    const target = this.tableName(targets[0]);
    if (target.asOf !== undefined) {
      throw this.source.error('plan', 'TIME_TRAVEL_READ_ONLY', `DELETE cannot change a past version: remove AS OF from ${target.name}; DELETE always applies to the latest version`, target.asOf.pos);
    }
    const { alias } = this.aliasOf(targets[0].as);
    const where = this.optionalClause('where', raw.where);
    return { kind: 'delete', table: { ...target, alias, columnAliases: [] }, where, pos };
  }

  /** `alias` or `alias(c1, c2)` (the parser keeps the column list in the alias text). */
  private aliasOf(raw: unknown): { alias: string | null; columnAliases: string[] } {
    if (raw === null || raw === undefined) return { alias: null, columnAliases: [] };
    const text = identifierName(raw);
    const open = text.indexOf('(');
    if (open < 0) {
      this.locator.identifier(text);
      return { alias: text, columnAliases: [] };
    }
    const alias = text.slice(0, open).trim();
    this.locator.identifier(alias);
    const columnAliases = text.slice(open + 1, text.lastIndexOf(')')).split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1')).filter((c) => c.length > 0);
    for (const column of columnAliases) this.locator.identifier(column);
    return { alias, columnAliases };
  }

  private groupBy(raw: RawNode | null | undefined): SqlExpr[] {
    if (raw === null || raw === undefined) return [];
    const columns = (Array.isArray(raw) ? raw : raw.columns ?? []) as RawNode[];
    if (columns.length === 0) return [];
    this.locator.word('group');
    return columns.map((c) => this.expr(c));
  }

  private orderBy(raw: RawNode[] | null | undefined): SqlOrderItem[] {
    if (raw === null || raw === undefined || raw.length === 0) return [];
    this.locator.word('order');
    return raw.map((item) => {
      const expr = this.expr(item.expr);
      const ascending = String(item.type ?? 'ASC').toUpperCase() !== 'DESC';
      const nulls = typeof item.nulls === 'string' ? item.nulls.toLowerCase() : null;
      const nullsFirst = nulls === null ? null : nulls.endsWith('first');
      return { expr, ascending, nullsFirst, pos: expr.pos };
    });
  }

  private limit(raw: RawNode | null | undefined): { limit: SqlExpr | null; offset: SqlExpr | null } {
    const values = (raw?.value ?? []) as RawNode[];
    if (values.length === 0) return { limit: null, offset: null };
    const convert = (node: RawNode): SqlExpr | null => (node?.type === 'origin' && String(node.value).toLowerCase() === 'all' ? null : this.expr(node));
    if (raw?.seperator === 'offset') {
      // LIMIT n OFFSET m arrives as two values; OFFSET m alone as one.
      if (values.length === 1) {
        this.locator.word('offset');
        return { limit: null, offset: this.expr(values[0]) };
      }
      this.locator.word('limit');
      const limit = convert(values[0]);
      this.locator.word('offset');
      return { limit, offset: this.expr(values[1]) };
    }
    this.locator.word('limit');
    return { limit: convert(values[0]), offset: null };
  }

  private createView(raw: RawNode, pos: number): SqlStatement {
    if (raw.temporary) throw this.unsupported('temporary views are not supported; every view is stored', pos);
    if (raw.recursive) throw this.unsupported('recursive views are not supported', pos);
    if (raw.with_options || raw.with) throw this.unsupported('view options are not supported', pos);
    const name = this.writableName({ db: raw.view?.db, table: raw.view?.view ?? raw.view?.table ?? '' }, 'CREATE VIEW');
    this.locator.identifier(name);
    const columns = ((raw.columns ?? []) as unknown[]).map((c) => identifierName(c));
    for (const column of columns) this.locator.identifier(column);
    const as = this.locator.word('as');
    const sql = this.source.text.slice(as + 2).trim().replace(/;\s*$/, '');
    const query = this.convertQuery(raw.select);
    return { kind: 'create_view', name, columns, orReplace: raw.replace !== null && raw.replace !== undefined, query, sql, pos };
  }

  private createTable(raw: RawNode, pos: number): SqlStatement {
    if (String(raw.keyword).toLowerCase() === 'view') return this.createView(raw, pos);
    if (String(raw.keyword).toLowerCase() !== 'table') throw this.unsupported(`CREATE ${String(raw.keyword).toUpperCase()} is not supported`, pos);
    if (raw.query_expr || raw.as) throw this.unsupported('CREATE TABLE … AS SELECT is not supported', pos);
    if (raw.temporary) throw this.unsupported('temporary tables are not supported; every table is stored', pos);
    if (raw.table_options) throw this.unsupported('table options are not supported', pos);
    const table = (raw.table as RawNode[])[0];
    const name = this.writableName(table, 'CREATE TABLE');
    this.locator.identifier(name);
    const columns: SqlColumnDefinition[] = [];
    for (const definition of (raw.create_definitions ?? []) as RawNode[]) {
      if (definition.resource !== 'column') {
        throw this.unsupported(`table constraints (${String(definition.constraint_type ?? definition.resource)}) are not supported`, this.locator.here());
      }
      columns.push(this.columnDefinition(definition));
    }
    return { kind: 'create_table', name, ifNotExists: raw.if_not_exists !== null && raw.if_not_exists !== undefined, columns, pos };
  }

  private columnDefinition(definition: RawNode): SqlColumnDefinition {
    const name = identifierName(definition.column?.column ?? definition.column);
    const pos = this.locator.identifier(name);
    const type = convertTypeName(definition.definition, this);
    if (definition.default_val !== null && definition.default_val !== undefined) {
      throw this.unsupported('column DEFAULT values are not supported', pos);
    }
    for (const key of ['primary_key', 'unique', 'unique_or_primary', 'check', 'reference_definition', 'auto_increment', 'collate', 'generated']) {
      if (definition[key] !== null && definition[key] !== undefined) {
        throw this.unsupported(`column constraint ${key.toUpperCase().replace(/_/g, ' ')} is not supported`, pos);
      }
    }
    const notNull = String(definition.nullable?.type ?? '').toLowerCase() === 'not null';
    return { name, type, notNull, pos };
  }

  private dropTable(raw: RawNode, pos: number): SqlStatement {
    const keyword = String(raw.keyword).toLowerCase();
    if (keyword !== 'table' && keyword !== 'view') throw this.unsupported(`DROP ${String(raw.keyword).toUpperCase()} is not supported`, pos);
    const names = (raw.name ?? []) as RawNode[];
    if (names.length !== 1) throw this.unsupported(`DROP ${keyword.toUpperCase()} of several ${keyword}s is not supported; drop them one at a time`, pos);
    const ifExists = typeof raw.prefix === 'string' && raw.prefix.toUpperCase().includes('EXISTS');
    const name = this.writableName(names[0], `DROP ${keyword.toUpperCase()}`);
    this.locator.identifier(name);
    return { kind: keyword === 'view' ? 'drop_view' : 'drop_table', name, ifExists, pos };
  }

  private insert(raw: RawNode, pos: number): SqlStatement {
    if (raw.conflict) throw this.unsupported('INSERT … ON CONFLICT is not supported', pos);
    if (raw.returning) throw this.unsupported('INSERT … RETURNING is not supported', pos);
    this.writableName((raw.table as RawNode[])[0], 'INSERT');
    const target = this.tableName((raw.table as RawNode[])[0]);
    if (target.asOf !== undefined) {
      throw this.source.error('plan', 'TIME_TRAVEL_READ_ONLY', `INSERT cannot change a past version: remove AS OF from ${target.name}`, target.asOf.pos);
    }
    const table = target.name;
    const columns = raw.columns === null || raw.columns === undefined
      ? null
      : (raw.columns as unknown[]).map((c) => {
        const name = identifierName(c);
        return { name, pos: this.locator.identifier(name) };
      });
    const values = raw.values as RawNode;
    if (values?.type === 'values') {
      this.locator.word('values');
      const rows = (values.values as RawNode[]).map((row) => ((row.value ?? []) as RawNode[]).map((v) => this.expr(v)));
      return { kind: 'insert', table, columns, rows, query: null, pos };
    }
    if (values?.type === 'select') return { kind: 'insert', table, columns, rows: null, query: this.convertQuery(values), pos };
    throw this.unsupported('this form of INSERT is not supported; use INSERT … VALUES or INSERT … SELECT', pos);
  }
}

type SetOperator = { op: SqlSetOperation['op']; all: boolean; pos: number };

/** Folds selects and the operators between them: INTERSECT first, then UNION / EXCEPT, each left to right. */
function foldSetOperations(selects: readonly SqlQuery[], operators: readonly SetOperator[]): SqlQuery {
  const make = (left: SqlQuery, right: SqlQuery, o: SetOperator): SqlSetOperation => ({
    kind: 'set_operation', op: o.op, all: o.all, left, right, orderBy: [], limit: null, offset: null, pos: o.pos,
  });
  const terms: SqlQuery[] = [selects[0]];
  const loose: SetOperator[] = [];
  operators.forEach((o, i) => {
    if (o.op === 'intersect') terms[terms.length - 1] = make(terms[terms.length - 1], selects[i + 1], o);
    else { terms.push(selects[i + 1]); loose.push(o); }
  });
  let result = terms[0];
  loose.forEach((o, i) => { result = make(result, terms[i + 1], o); });
  return result;
}

function joinType(keyword: string): SqlJoinType {
  if (keyword.startsWith('LEFT')) return 'left';
  if (keyword.startsWith('RIGHT')) return 'right';
  if (keyword.startsWith('FULL')) return 'full';
  if (keyword.startsWith('CROSS')) return 'cross';
  return 'inner';
}
