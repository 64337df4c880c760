/** How the CLI shows errors. */
import type { StrataError } from '../storage/index.js';

/** `error [CODE]: message` plus the SQL position or file location when known. */
export function formatError(error: StrataError): string {
  const where: string[] = [];
  const position = error.details.position;
  // SQL errors already end with "(at line L, column C)"; file errors may say "file:L:C".
  if (position !== undefined && !error.message.includes(`${position.line}:${position.column}`)
    && !error.message.includes(`line ${position.line}, column ${position.column}`)) {
    where.push(`at line ${position.line}, column ${position.column}`);
  }
  const suffix = where.length === 0 ? '' : ` (${where.join(', ')})`;
  return `error [${error.code}]: ${error.message}${suffix}`;
}
