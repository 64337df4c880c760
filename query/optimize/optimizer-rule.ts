/**
 * The optimizer rule contract. A rule is a named, pure rewrite of a logical plan; it returns
 * the very same object when it changes nothing, so the optimizer can report which rules fired
 * (EXPLAIN shows them) and a rule can be switched off by name.
 */
import type { TableSource } from '../catalog.js';
import type { LogicalPlan } from '../plan/logical-plan.js';

/** What rules may consult: the table snapshots of the statement (for partition statistics). */
export interface OptimizerContext {
  /** Lower-case table name → snapshot. */
  readonly tables: ReadonlyMap<string, TableSource>;
}

/** One rewrite rule. */
export interface OptimizerRule {
  /** Verb phrase shown in EXPLAIN and accepted by QueryEngineOptions.disabledRules. */
  readonly name: string;
  apply(plan: LogicalPlan, context: OptimizerContext): LogicalPlan;
}
