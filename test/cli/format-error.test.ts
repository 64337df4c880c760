import assert from 'node:assert/strict';
import { formatError } from '../../cli/errors.js';
import { StrataError } from '../../storage/index.js';

describe('cli formatError', () => {
  it('names the SQL position once when the message already carries it', () => {
    const error = new StrataError('input', 'SQL_SYNTAX_ERROR', 'unexpected token (at line 2, column 7)', { position: { line: 2, column: 7, offset: 12 } });
    const text = formatError(error);
    assert.equal(text, 'error [SQL_SYNTAX_ERROR]: unexpected token (at line 2, column 7)');
  });

  it('adds the position when the message lacks it', () => {
    const error = new StrataError('input', 'SQL_SYNTAX_ERROR', 'unexpected token', { position: { line: 1, column: 3, offset: 2 } });
    assert.equal(formatError(error), 'error [SQL_SYNTAX_ERROR]: unexpected token (at line 1, column 3)');
  });
});
