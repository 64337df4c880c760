/**
 * Parsing of the analytical SQL forms the PostgreSQL grammar of node-sql-parser rejects or
 * misreads (RANGE frames, CROSS JOIN, EXCEPT/INTERSECT ALL), rewritten to same-length text so
 * every position still points into the user's text; set-operation precedence and the ORDER BY
 * of a whole set operation; window calls, derived-table column lists and views.
 */
import assert from 'node:assert/strict';
import { StrataError } from '../../../storage/index.js';
import { parseSql } from '../../../query/sql/parse.js';
import type { SqlQuery, SqlSelect, SqlStatement, SqlWindowFunction } from '../../../query/sql/ast.js';

function query(sql: string): SqlQuery {
  const { statement } = parseSql(sql);
  assert.equal(statement.kind, 'query');
  return (statement as Extract<SqlStatement, { kind: 'query' }>).query;
}

function failure(sql: string): StrataError {
  try {
    parseSql(sql);
  } catch (error) {
    assert.ok(error instanceof StrataError);
    return error;
  }
  assert.fail(`expected an error for ${sql}`);
}

function windowOf(sql: string): SqlWindowFunction {
  const item = (query(sql) as SqlSelect).items[0];
  assert.ok(item.kind === 'expr' && item.expr.kind === 'window_function');
  return item.expr as SqlWindowFunction;
}

describe('parseSql: analytical SQL', () => {
  it('reads window calls with PARTITION BY, ORDER BY and ROWS / RANGE frames at their positions', () => {
    const rows = windowOf('SELECT sum(v) OVER (PARTITION BY g ORDER BY k DESC ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) FROM t');
    assert.equal(rows.name, 'sum');
    assert.equal(rows.pos, 7);
    assert.equal(rows.partitionBy.length, 1);
    assert.equal(rows.orderBy[0].ascending, false);
    assert.deepEqual(rows.frame && { units: rows.frame.units, start: rows.frame.start, end: rows.frame.end },
      { units: 'rows', start: { kind: 'preceding', offset: '2' }, end: { kind: 'following', offset: '1' } });
    const range = windowOf('SELECT count(*) OVER (ORDER BY k RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t');
    assert.equal(range.star, true);
    assert.equal(range.frame?.units, 'range');
    assert.equal(range.frame?.pos, 33);
    const single = windowOf('SELECT avg(v) OVER (ORDER BY k RANGE 3 PRECEDING) FROM t');
    assert.deepEqual(single.frame?.start, { kind: 'preceding', offset: '3' });
    assert.deepEqual(single.frame?.end, { kind: 'current_row', offset: null });
    assert.equal(windowOf('SELECT lag(v, 2, 0) OVER (ORDER BY k) FROM t').args.length, 3);
  });

  it('keeps syntax error positions exact after rewriting RANGE, CROSS and EXCEPT ALL', () => {
    const frame = failure('SELECT sum(v) OVER (ORDER BY k RANGE BETWEEN UNBOUNDED PRECEDING AND) FROM t');
    assert.equal(frame.code, 'SQL_SYNTAX_ERROR');
    assert.equal(frame.details.position?.offset, 'SELECT sum(v) OVER (ORDER BY k RANGE BETWEEN UNBOUNDED PRECEDING AND'.length);
    const cross = failure('SELECT *\nFROM t CROSS JOIN u ON t.a = u.a');
    assert.equal(cross.code, 'SQL_SYNTAX_ERROR');
    assert.deepEqual(cross.details.position, { line: 2, column: 14, offset: 22 });
    assert.match(cross.message, /CROSS JOIN takes no ON or USING/);
    const except = failure('SELECT a FROM t EXCEPT ALL SELECT a FROM u WHERE');
    assert.equal(except.details.position?.offset, 'SELECT a FROM t EXCEPT ALL SELECT a FROM u WHERE'.length);
  });

  it('reads CROSS JOIN, parenthesized joins and JOIN without a condition', () => {
    const select = query('SELECT * FROM t CROSS JOIN u, (v JOIN w USING (id))') as SqlSelect;
    assert.equal(select.from.length, 2);
    assert.ok(select.from[0].kind === 'join' && select.from[0].joinType === 'cross');
    assert.ok(select.from[1].kind === 'join' && select.from[1].using.includes('id'));
    assert.equal(failure('SELECT * FROM t JOIN u').code, 'SQL_SYNTAX_ERROR');
  });

  it('folds set operations with INTERSECT first and gives a trailing ORDER BY / LIMIT to the whole', () => {
    const q = query('SELECT a FROM t UNION SELECT b FROM u INTERSECT ALL SELECT c FROM v EXCEPT ALL SELECT d FROM w ORDER BY 1 LIMIT 5');
    assert.ok(q.kind === 'set_operation');
    assert.equal(q.op, 'except');
    assert.equal(q.all, true);
    assert.equal(q.orderBy.length, 1);
    assert.ok(q.limit !== null);
    assert.ok(q.left.kind === 'set_operation' && q.left.op === 'union' && q.left.all === false);
    const inner = q.left.right;
    assert.ok(inner.kind === 'set_operation' && inner.op === 'intersect' && inner.all === true);
    assert.ok(q.right.kind === 'select' && q.right.orderBy.length === 0 && q.right.limit === null);
  });

  it('reads column lists of derived tables, tables and CTEs, and CREATE / DROP VIEW with the view text', () => {
    const select = query('WITH c (x, y) AS (SELECT 1, 2) SELECT * FROM (SELECT a, b FROM t) AS d (p, q), t AS r (m)') as SqlSelect;
    assert.deepEqual(select.with[0].columns, ['x', 'y']);
    const [derived, table] = select.from;
    assert.ok(derived.kind === 'derived' && derived.alias === 'd');
    assert.deepEqual(derived.kind === 'derived' ? derived.columnAliases : [], ['p', 'q']);
    assert.deepEqual(table.kind === 'table' ? table.columnAliases : [], ['m']);
    const view = parseSql('CREATE OR REPLACE VIEW v (n) AS SELECT count(*) FROM t;').statement;
    assert.ok(view.kind === 'create_view');
    assert.equal(view.sql, 'SELECT count(*) FROM t');
    assert.deepEqual(view.columns, ['n']);
    assert.equal(view.orReplace, true);
    const drop = parseSql('DROP VIEW IF EXISTS v').statement;
    assert.ok(drop.kind === 'drop_view' && drop.ifExists);
    assert.equal(failure('WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r').code, 'NOT_SUPPORTED');
  });
});
