/**
 * Name resolution for one query block: the columns its FROM clause makes visible, each with the
 * relation name that qualifies it and its position in the block's input row. A scope may have a
 * parent, searched when no column of its own matches: the enclosing query of a subquery (whose
 * columns a correlated condition may use) or, for a join condition, the outer query's columns
 * laid out before the subquery's own.
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
  /** A column JOIN … USING merged into the other side's: reachable only qualified, not by * or a bare name. */
  readonly hidden?: boolean;
}

/** The result of resolving a name: the matching columns and whether they come from a parent scope. */
export interface Resolution {
  readonly columns: ScopeColumn[];
  /** The columns belong to a parent scope (an enclosing query). */
  readonly outer: boolean;
  /** That parent is the enclosing query of a subquery: its positions are not this block's. */
  readonly correlated: boolean;
}

/** The columns visible to expressions of a query block. */
export class Scope {
  readonly columns: readonly ScopeColumn[];
  readonly parent: Scope | null;
  /** True when the parent is an enclosing query (correlated references); false when its positions are valid here. */
  readonly parentIsOuterQuery: boolean;

  constructor(columns: readonly ScopeColumn[], parent: Scope | null = null, parentIsOuterQuery = true) {
    this.columns = columns;
    this.parent = parent;
    this.parentIsOuterQuery = parentIsOuterQuery;
  }

  /** Columns of this scope alone matching a (possibly qualified) name, compared case-insensitively as DuckDB does. */
  resolve(relation: string | null, name: string): ScopeColumn[] {
    const lowerName = name.toLowerCase();
    const lowerRelation = relation?.toLowerCase() ?? null;
    return this.columns.filter((c) => c.name.toLowerCase() === lowerName
      && (lowerRelation === null ? c.hidden !== true : c.relation?.toLowerCase() === lowerRelation));
  }

  /** Resolves in this scope, then in the parents. */
  resolveScoped(relation: string | null, name: string): Resolution {
    const own = this.resolve(relation, name);
    if (own.length > 0 || this.parent === null) return { columns: own, outer: false, correlated: false };
    const inherited = this.parent.resolveScoped(relation, name);
    if (inherited.columns.length === 0) return { columns: [], outer: false, correlated: false };
    return { columns: inherited.columns, outer: true, correlated: this.parentIsOuterQuery || inherited.correlated };
  }

  /** True when some column (of this scope or a parent) is qualified by `relation`. */
  hasRelation(relation: string): boolean {
    const lower = relation.toLowerCase();
    return this.columns.some((c) => c.relation?.toLowerCase() === lower) || (this.parent?.hasRelation(relation) ?? false);
  }

  /** The columns `*` (relation null) or `t.*` expands to, in order. */
  expandStar(relation: string | null): ScopeColumn[] {
    if (relation === null) return this.columns.filter((c) => c.hidden !== true);
    const lower = relation.toLowerCase();
    return this.columns.filter((c) => c.relation?.toLowerCase() === lower);
  }
}
