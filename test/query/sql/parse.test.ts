/** SQL text → strata AST: rewrites, positions, special statements and syntax errors. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { StrataError } from '../../../storage/index.js';
import { parseSql } from '../../../query/sql/parse.js';
import type { SqlExpr, SqlSelect, SqlStatement } from '../../../query/sql/ast.js';
import { join } from 'node:path';
import { tpchDirectory } from '../../support/paths.js';

const tpchQueries = join(tpchDirectory, 'queries');

function select(sql: string): SqlSelect {
  const { statement } = parseSql(sql);
  assert.equal(statement.kind, 'query');
  const query = (statement as Extract<SqlStatement, { kind: 'query' }>).query;
  assert.equal(query.kind, 'select');
  return query as SqlSelect;
}

function firstItem(sql: string): SqlExpr {
  const item = select(sql).items[0];
  assert.equal(item.kind, 'expr');
  return (item as Extract<typeof item, { kind: 'expr' }>).expr;
}

function syntaxError(sql: string): StrataError {
  try {
    parseSql(sql);
  } catch (error) {
    assert.ok(error instanceof StrataError);
    return error;
  }
  assert.fail(`expected a syntax error for ${sql}`);
}

describe('parseSql', () => {
  it('parses all 22 TPC-H queries', () => {
    for (let i = 1; i <= 22; i++) {
      const { statement } = parseSql(readFileSync(`${tpchQueries}/q${i}.sql`, 'utf8'));
      assert.equal(statement.kind, 'query', `q${i}`);
    }
  });

  it('places unlocated nodes (columns, literals, tables) at their tokens', () => {
    const sql = 'SELECT a,\n  t.b, 42, \'x\'\nFROM tab AS t WHERE c > 1';
    const query = select(sql);
    const positions = query.items.map((item) => item.pos);
    assert.deepEqual(positions, [sql.indexOf('a,'), sql.indexOf('t.b'), sql.indexOf('42'), sql.indexOf("'x'")]);
    assert.equal(query.from[0].pos, sql.indexOf('tab'));
    const where = query.where as Extract<SqlExpr, { kind: 'binary' }>;
    assert.equal(where.left.pos, sql.indexOf('c >'));
    assert.equal(where.right.pos, sql.lastIndexOf('1'));
  });

  it('keeps numbers as written and unescapes strings', () => {
    assert.deepEqual(firstItem('SELECT .06'), { kind: 'number', text: '.06', pos: 7 });
    assert.deepEqual(firstItem('SELECT -1'), { kind: 'number', text: '-1', pos: 8 });
    assert.deepEqual(firstItem("SELECT 'it''s'"), { kind: 'string', value: "it's", pos: 7 });
  });

  it('rewrites substring(x FROM a FOR b) keeping positions', () => {
    const sql = 'SELECT substring(c_phone from 1 for 2) FROM customer';
    const call = firstItem(sql) as Extract<SqlExpr, { kind: 'function' }>;
    assert.equal(call.name, 'substring');
    assert.deepEqual(call.args.map((a) => (a.kind === 'number' ? a.text : a.kind)), ['column', '1', '2']);
    assert.equal(call.args[1].pos, sql.indexOf('1 for'));
    const forOnly = firstItem('SELECT substring(s FOR 3)') as Extract<SqlExpr, { kind: 'function' }>;
    assert.deepEqual(forOnly.args.map((a) => (a.kind === 'number' ? a.text : a.kind)), ['column', '1', '3']);
  });

  it('accepts DISTINCT in sum/avg/min/max, which the grammar lacks', () => {
    const call = firstItem('SELECT sum(DISTINCT x) FROM t') as Extract<SqlExpr, { kind: 'function' }>;
    assert.equal(call.distinct, true);
    assert.equal(call.args[0].kind, 'column');
    const plain = firstItem('SELECT sum(x) FROM t') as Extract<SqlExpr, { kind: 'function' }>;
    assert.equal(plain.distinct, false);
  });

  it('normalizes position(a IN b), trim(… FROM x) and NOT EXISTS', () => {
    const position = firstItem("SELECT position('l' IN s)") as Extract<SqlExpr, { kind: 'function' }>;
    assert.equal(position.name, 'strpos');
    assert.deepEqual(position.args.map((a) => a.kind), ['column', 'string']);
    const trim = firstItem("SELECT trim(leading 'x' FROM s)") as Extract<SqlExpr, { kind: 'function' }>;
    assert.equal(trim.name, 'ltrim');
    assert.deepEqual(trim.args.map((a) => a.kind), ['column', 'string']);
    const where = select('SELECT 1 FROM t WHERE NOT EXISTS (SELECT 1)').where;
    assert.equal(where?.kind, 'exists');
    assert.equal((where as Extract<SqlExpr, { kind: 'exists' }>).negated, true);
  });

  it('parses EXPLAIN, DESCRIBE and SHOW TABLES itself', () => {
    const explain = parseSql('EXPLAIN SELECT a FROM t').statement;
    assert.equal(explain.kind, 'explain');
    const inner = (explain as Extract<SqlStatement, { kind: 'explain' }>).statement;
    assert.equal(inner.kind, 'query');
    assert.equal((inner as Extract<SqlStatement, { kind: 'query' }>).query.pos, 8);
    assert.deepEqual(parseSql('DESCRIBE lineitem').statement, { kind: 'describe_table', name: 'lineitem', pos: 9 });
    assert.equal(parseSql('DESCRIBE SELECT 1').statement.kind, 'describe_query');
    assert.deepEqual(parseSql('show tables;').statement, { kind: 'show_tables', pos: 0 });
  });

  it('reports syntax errors with line, column and a short expected list', () => {
    const error = syntaxError('SELECT a\nFROM t\nWHERE a = = 1');
    assert.equal(error.code, 'SQL_SYNTAX_ERROR');
    assert.equal(error.kind, 'syntax');
    assert.deepEqual(error.details.position, { line: 3, column: 11, offset: 26 });
    assert.match(error.message, /unexpected '='; expected an expression \(at line 3, column 11\)/);
    const clause = syntaxError('SELECT a b c FROM t');
    assert.match(clause.message, /unexpected 'c'; expected one of .*FROM.*WHERE/);
    assert.ok(clause.message.length < 200, clause.message);
    assert.match(syntaxError('SELECT a FROM t WHERE').message, /unexpected end of input/);
  });

  it('rejects unterminated strings, empty text and several statements', () => {
    const unterminated = syntaxError("SELECT 'abc");
    assert.equal(unterminated.code, 'SQL_SYNTAX_ERROR');
    assert.equal(unterminated.details.position?.column, 8);
    assert.equal(syntaxError('  -- nothing\n').code, 'SQL_SYNTAX_ERROR');
    const several = syntaxError('SELECT 1;\nSELECT 2;');
    assert.equal(several.code, 'SQL_MULTIPLE_STATEMENTS');
    assert.equal(several.details.position?.line, 2);
  });

  it('rejects statements strata does not run with NOT_SUPPORTED and a position', () => {
    const error = syntaxError('UPDATE t SET a = 1');
    assert.equal(error.code, 'NOT_SUPPORTED');
    assert.equal(error.kind, 'not_supported');
    assert.ok(error.details.position !== undefined);
  });
});
