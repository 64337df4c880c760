/**
 * Name resolution for one query block: the columns its FROM clause makes visible, each with the
 * relation name that qualifies it and its position in the block's input row. A scope may have
 * a parent (the enclosing query) so correlated subqueries can be bound later without a new
 * design; today only the innermost scope is searched.
 */
import type { DataType } from '../../storage/index.js';

/** One visible column. */
export interface ScopeColumn {
  /** Qualifier: the table's alias, or its name; null for unnamed relations. */
  readonly relation: string | null;
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  /** Position in the input schema of the plan node that evaluates expressions of this scope. */
  readonly index: number;
}

/** The columns visible to expressions of a query block. */
export class Scope {
  readonly columns: readonly ScopeColumn[];
  readonly parent: Scope | null;

  constructor(columns: readonly ScopeColumn[], parent: Scope | null = null) {
    this.columns = columns;
    this.parent = parent;
  }

  /** Columns matching a (possibly qualified) name, compared case-insensitively as DuckDB does. */
  resolve(relation: string | null, name: string): ScopeColumn[] {
    const lowerName = name.toLowerCase();
    const lowerRelation = relation?.toLowerCase() ?? null;
    return this.columns.filter((c) => c.name.toLowerCase() === lowerName
      && (lowerRelation === null || c.relation?.toLowerCase() === lowerRelation));
  }

  /** True when some column is qualified by `relation`. */
  hasRelation(relation: string): boolean {
    const lower = relation.toLowerCase();
    return this.columns.some((c) => c.relation?.toLowerCase() === lower);
  }

  /** The columns `*` (relation null) or `t.*` expands to, in order. */
  expandStar(relation: string | null): ScopeColumn[] {
    if (relation === null) return [...this.columns];
    const lower = relation.toLowerCase();
    return this.columns.filter((c) => c.relation?.toLowerCase() === lower);
  }
}
