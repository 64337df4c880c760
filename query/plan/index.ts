/** Logical plan and expression types. */
export * from './expr.js';
export * from './logical-plan.js';
