import assert from 'node:assert/strict';
import { numericVector, Types, type Batch, type DataType } from '../../../storage/index.js';
import type { Expr } from '../../../query/plan/index.js';
import { evaluateExpr, filterRows, RowFilter, selectTrue } from '../../../query/exec/index.js';
import { call, col, dec, lit } from './expr-builders.js';

const { int32, float64, date, boolean } = Types;

describe('exec: RowFilter (compiled selection) agrees with evaluating the predicate', () => {
  let state = 99;
  const random = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const types: DataType[] = [int32, float64, dec(10, 2), date];

  function batchOf(n: number): Batch {
    const nullsOf = (): Uint8Array => Uint8Array.from({ length: n }, () => (random() < 0.1 ? 1 : 0));
    const ints = Int32Array.from({ length: n }, () => Math.floor(random() * 21) - 10);
    const doubles = Float64Array.from({ length: n }, () => (random() < 0.05 ? Number.NaN : Math.floor(random() * 41) / 4 - 5));
    const decimals = Float64Array.from({ length: n }, () => Math.floor(random() * 2001) - 1000);
    const dates = Int32Array.from({ length: n }, () => 19000 + Math.floor(random() * 30));
    return {
      length: n,
      columns: [numericVector(int32, ints, nullsOf()), numericVector(float64, doubles, nullsOf()), numericVector(dec(10, 2), decimals, null), numericVector(date, dates, nullsOf())],
    };
  }

  function randomBound(): Expr {
    const c = Math.floor(random() * types.length);
    const fn = (['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const)[Math.floor(random() * 6)];
    let constant: Expr;
    switch (types[c].id) {
      case 'int32': constant = lit(Math.floor(random() * 21) - 10, int32); break;
      case 'float64': constant = random() < 0.5 ? lit(Math.floor(random() * 41) / 4 - 5, float64) : lit(Math.floor(random() * 900) - 450, dec(5, 2)); break;
      case 'decimal': constant = random() < 0.5 ? lit(Math.floor(random() * 201) - 100, dec(4, 1)) : lit(Math.floor(random() * 20001) - 10000, dec(6, 3)); break;
      default: constant = lit(19000 + Math.floor(random() * 30), date);
    }
    const column = col(c, types[c]);
    return random() < 0.3 ? call(fn, boolean, constant, column) : call(fn, boolean, column, constant);
  }

  it('for random conjunctions of bounds, ranges and general predicates, over several batches', () => {
    for (let trial = 0; trial < 150; trial++) {
      const predicates = Array.from({ length: 1 + Math.floor(random() * 4) }, () => randomBound());
      if (random() < 0.3) predicates.push(call('gt', boolean, call('add', int32, col(0, int32), lit(1, int32)), lit(0, int32)));
      const filter = new RowFilter(predicates);
      for (let b = 0; b < 3; b++) {
        const batch = batchOf(200 + b * 37);
        const reference = selectTrue(evaluateExpr(predicates.length === 1 ? predicates[0] : call('and', boolean, ...predicates), batch));
        const { positions, count } = filter.select(batch);
        const actual = count === batch.length ? Array.from({ length: count }, (_, i) => i) : Array.from(positions.subarray(0, count));
        assert.deepEqual(actual, Array.from(reference.indices.subarray(0, reference.count)), `trial ${trial} batch ${b}: ${JSON.stringify(predicates)}`);
      }
    }
  });

  it('filterRows compacts only when some row fails', () => {
    const batch = batchOf(50);
    assert.equal(filterRows(batch, [call('eq', boolean, lit(1, int32), lit(1, int32))]), batch);
    const kept = filterRows(batch, [call('lt', boolean, col(2, dec(10, 2)), lit(0, dec(1, 0)))]);
    assert.ok(kept.length < 50 && kept.length > 0);
  });
});
