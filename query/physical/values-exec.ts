/** Constant rows: SELECT without FROM, VALUES lists. */
import type { Batch, Schema } from '../../storage/index.js';
import type { Expr } from '../plan/index.js';
import { castVector, concatVectors, evaluateExpr } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { batchRowsMax, checkCancelled } from './execution-limits.js';

const oneRow: Batch = { length: 1, columns: [] };

/** Evaluates each row's expressions once and yields them in batches of at most batchRowsMax rows. */
export class ValuesExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[] = [];

  constructor(private readonly rows: readonly (readonly Expr[])[], readonly schema: Schema) {}

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const types = this.schema.fields.map((f) => f.type);
    for (let start = 0; start < this.rows.length; start += batchRowsMax) {
      checkCancelled(context);
      const rows = this.rows.slice(start, start + batchRowsMax);
      const columns = types.map((type, c) => concatVectors(type, rows.map((row) => {
        const value = evaluateExpr(row[c], oneRow);
        // A row's expression may be typed narrower than the column (VALUES (1), (2.5)).
        return value.type.id === type.id && (type.id !== 'decimal' || value.type.scale === type.scale) ? value : castVector(value, type);
      })));
      yield { length: rows.length, columns };
    }
  }
}
