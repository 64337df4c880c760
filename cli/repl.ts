/**
 * The interactive SQL prompt: statements end with ';' and may span lines; `.help`, `.tables`,
 * `.format table|csv|json`, `.timing on|off` and `.quit` are prompt commands.
 */
import * as readline from 'node:readline';
import { toStrataError } from '../storage/index.js';
import { parseOutputFormat, type OutputFormat } from './output.js';
import { formatError } from './errors.js';

/** Runs a statement for the REPL (embedded database or a remote node) and renders its result. */
export type StatementRunner = (sql: string, format: OutputFormat) => Promise<string>;

/** Longest statement the prompt buffers: a runaway paste must not eat memory. */
const statementBytesMax = 16 * 1024 * 1024;

const replHelp = `Enter SQL statements ending with ';'. Commands:
  .tables                 list tables
  .format table|csv|json  output format
  .timing on|off          show elapsed time
  .quit                   leave (or Ctrl-D)
`;

/** Runs the prompt until end of input. */
export async function runRepl(run: StatementRunner, initialFormat: OutputFormat): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  let format = initialFormat;
  let timing = false;
  let buffer = '';
  const prompt = () => rl.setPrompt(buffer.length === 0 ? 'strata> ' : '   ...> ');
  prompt();
  rl.prompt();
  for await (const line of rl) {
    const trimmed = line.trim();
    if (buffer.length === 0 && trimmed.startsWith('.')) {
      const [command, argument] = trimmed.split(/\s+/);
      if (command === '.quit' || command === '.exit') break;
      else if (command === '.help') process.stdout.write(replHelp);
      else if (command === '.tables') await runOne(run, 'SHOW TABLES', format, false);
      else if (command === '.timing') timing = argument === 'on';
      else if (command === '.format') {
        try { format = parseOutputFormat(argument); } catch (error) { process.stderr.write(`${formatError(toStrataError(error))}\n`); }
      } else process.stderr.write(`unknown command ${command}; .help lists the commands\n`);
    } else {
      buffer += `${line}\n`;
      if (buffer.length > statementBytesMax) {
        process.stderr.write(`statement longer than ${statementBytesMax} bytes; discarded\n`);
        buffer = '';
      } else if (trimmed.endsWith(';')) {
        await runOne(run, buffer, format, timing);
        buffer = '';
      }
    }
    prompt();
    rl.prompt();
  }
  rl.close();
}

async function runOne(run: StatementRunner, sql: string, format: OutputFormat, timing: boolean): Promise<void> {
  const startMs = performance.now();
  try {
    process.stdout.write(await run(sql, format));
    if (timing) process.stdout.write(`Time: ${(performance.now() - startMs).toFixed(1)} ms\n`);
  } catch (error) {
    process.stderr.write(`${formatError(toStrataError(error))}\n`);
  }
}
