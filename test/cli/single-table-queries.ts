/**
 * Single-table queries over TPC-H sf0.1 (our own, beyond Q1 and Q6): filters, NULLs, CASE, dates,
 * DISTINCT, ORDER BY / LIMIT, HAVING, strings, casts. Each is compared with DuckDB. `ordered`
 * says the query fixes the row order (compare in order), else rows are compared as a multiset.
 */

/** A query and whether its row order is defined. */
export interface OracleQuery {
  readonly name: string;
  readonly sql: string;
  readonly ordered: boolean;
}

/** The queries. */
export const singleTableQueries: readonly OracleQuery[] = [
  { name: 'count lineitem', ordered: true, sql: 'SELECT count(*) FROM lineitem' },
  { name: 'distinct orders per ship mode', ordered: true,
    sql: 'SELECT l_shipmode, count(DISTINCT l_orderkey) AS orders FROM lineitem GROUP BY 1 ORDER BY 1' },
  { name: 'one-week shipdate range', ordered: true,
    sql: "SELECT count(*) FROM lineitem WHERE l_shipdate BETWEEN DATE '1995-03-01' AND DATE '1995-03-07'" },
  { name: 'order priority summary', ordered: true,
    sql: 'SELECT o_orderpriority, count(*), sum(o_totalprice), min(o_orderdate), max(o_orderdate), min(o_clerk) ' +
      'FROM orders GROUP BY o_orderpriority ORDER BY o_orderpriority' },
  { name: 'CASE buckets', ordered: true,
    sql: "SELECT CASE WHEN o_totalprice > 300000 THEN 'big' WHEN o_totalprice > 100000 THEN 'medium' ELSE 'small' END AS size, " +
      'count(*) AS n, avg(o_totalprice) AS mean FROM orders GROUP BY 1 ORDER BY 1' },
  { name: 'DISTINCT flags', ordered: true, sql: 'SELECT DISTINCT l_returnflag, l_linestatus FROM lineitem ORDER BY 1, 2' },
  { name: 'ORDER BY DESC with LIMIT', ordered: true,
    sql: 'SELECT o_orderkey, o_totalprice, o_orderdate FROM orders ORDER BY o_totalprice DESC, o_orderkey LIMIT 10' },
  { name: 'LIMIT with OFFSET', ordered: true,
    sql: 'SELECT o_orderkey, o_custkey, o_orderstatus FROM orders ORDER BY o_orderkey LIMIT 5 OFFSET 100' },
  { name: 'HAVING', ordered: true,
    sql: 'SELECT c_nationkey, count(*) AS customers, avg(c_acctbal) AS balance FROM customer ' +
      'GROUP BY c_nationkey HAVING count(*) > 600 ORDER BY customers DESC, c_nationkey' },
  { name: 'LIKE contains', ordered: true, sql: "SELECT count(*), sum(p_retailprice) FROM part WHERE p_name LIKE '%green%'" },
  { name: 'LIKE prefix grouped', ordered: true,
    sql: "SELECT p_type, count(*) FROM part WHERE p_type LIKE 'PROMO%' AND p_type NOT LIKE '%TIN' GROUP BY p_type ORDER BY 1" },
  { name: 'IN list and column comparison', ordered: true,
    sql: "SELECT count(*), sum(l_quantity), sum(l_extendedprice) FROM lineitem WHERE l_shipmode IN ('MAIL', 'SHIP') " +
      'AND l_receiptdate > l_commitdate AND l_commitdate < l_receiptdate' },
  { name: 'EXTRACT year', ordered: true,
    sql: 'SELECT extract(year FROM o_orderdate) AS y, count(*), sum(o_totalprice) FROM orders GROUP BY 1 ORDER BY 1' },
  { name: 'substring grouping', ordered: true,
    sql: 'SELECT substring(c_phone, 1, 2) AS country, count(*), sum(c_acctbal), max(c_acctbal) FROM customer GROUP BY 1 ORDER BY 1' },
  { name: 'NULLs from NULLIF in aggregates', ordered: true,
    sql: 'SELECT count(nullif(l_linenumber, 1)), count(*), sum(CASE WHEN l_discount = 0 THEN NULL ELSE l_discount END), ' +
      'avg(nullif(l_tax, 0)), min(nullif(l_linenumber, 1)) FROM lineitem' },
  { name: 'COALESCE and NULL groups', ordered: true,
    sql: "SELECT nullif(o_orderstatus, 'F') AS s, coalesce(nullif(o_orderstatus, 'F'), 'final') AS t, count(*) FROM orders GROUP BY 1, 2 ORDER BY 1 NULLS FIRST" },
  { name: 'three-valued NOT', ordered: true,
    sql: "SELECT count(*) FROM orders WHERE NOT (nullif(o_orderstatus, 'F') = 'O')" },
  { name: 'IS NULL / IS NOT NULL', ordered: true,
    sql: "SELECT count(*) FILTER (WHERE nullif(o_orderstatus, 'F') IS NULL), count(*) FILTER (WHERE nullif(o_orderstatus, 'F') IS NOT NULL) FROM orders" },
  { name: 'date arithmetic', ordered: true,
    sql: "SELECT count(*) FROM lineitem WHERE l_shipdate + INTERVAL '1' MONTH < l_receiptdate AND l_shipdate >= DATE '1996-01-01' - INTERVAL '2' YEAR" },
  { name: 'min/max of strings and distinct counts', ordered: true,
    sql: 'SELECT min(l_comment), max(l_comment), count(DISTINCT l_suppkey), count(DISTINCT l_shipinstruct) FROM lineitem' },
  { name: 'ORDER BY NULLS FIRST', ordered: true,
    sql: 'SELECT nullif(n_regionkey, 2) AS r, n_name FROM nation ORDER BY r NULLS FIRST, n_name' },
  { name: 'ORDER BY DESC NULLS LAST', ordered: true,
    sql: 'SELECT nullif(n_regionkey, 2) AS r, n_name FROM nation ORDER BY r DESC NULLS LAST, n_name DESC' },
  { name: 'CAST', ordered: true,
    sql: 'SELECT sum(CAST(l_quantity AS INTEGER)), sum(CAST(l_extendedprice AS DOUBLE)), max(CAST(l_orderkey AS VARCHAR)) FROM lineitem' },
  { name: 'round of averages', ordered: true,
    sql: 'SELECT l_returnflag, round(avg(l_extendedprice * l_discount), 2) AS r, sum(l_extendedprice * l_discount) FROM lineitem GROUP BY 1 ORDER BY 1' },
  { name: 'BETWEEN with OR', ordered: true,
    sql: "SELECT count(*) FROM part WHERE (p_size BETWEEN 1 AND 5 OR p_size > 45) AND p_container LIKE 'SM%'" },
  { name: 'string functions', ordered: true,
    sql: "SELECT upper(n_name), lower(n_name), length(n_comment), trim(' ' || n_name || ' '), replace(n_name, 'A', 'a') FROM nation ORDER BY n_nationkey" },
  { name: 'top customers by balance', ordered: true,
    sql: "SELECT c_custkey, c_name, c_acctbal FROM customer WHERE c_mktsegment = 'BUILDING' ORDER BY c_acctbal DESC, c_custkey LIMIT 20" },
  { name: 'expressions in GROUP BY', ordered: true,
    sql: 'SELECT o_orderstatus, o_shippriority + 1 AS p, count(*) FROM orders GROUP BY o_orderstatus, o_shippriority + 1 ORDER BY 1, 2' },
];
