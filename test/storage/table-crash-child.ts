/**
 * Child process of the crash test: opens a table and loops forever writing a partition and
 * committing it, until the parent SIGKILLs it. Commit n adds rows n*1000 .. n*1000+rows-1, so the
 * parent can tell from the log exactly which rows must be in the table.
 * argv: <store directory> <table name>
 */
import { LocalStore, numericVector, Table, Types } from '../../storage/index.js';

const [directory, name] = process.argv.slice(2);
const store = await LocalStore.open(directory);
const table = await Table.open(store, name, { checkpointInterval: 3 });
process.stdout.write('ready\n');
for (;;) {
  const snapshot = await table.snapshot();
  const sequence = snapshot.version + 1;
  const rows = 1 + (sequence % 5) * 200;
  const ids = new Float64Array(rows);
  for (let i = 0; i < rows; i++) ids[i] = sequence * 1000 + i;
  const meta = await table.writePartition([{ length: rows, columns: [numericVector(Types.int64, ids)] }], { batchRowsMax: 256 });
  const version = await table.commit(snapshot.version, {
    add: [meta], remove: [], loadHashes: [`load-${sequence}`], info: { operation: 'crash-test', sequence, rows },
  });
  process.stdout.write(`committed ${version}\n`);
}
