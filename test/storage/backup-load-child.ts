/**
 * Child process of the backup and replication tests: loads into the given tables in turn, one
 * partition per commit, until the parent kills it. Commit n of a table adds ids n*1000 .. n*1000+rows-1,
 * so any committed version's content is known from its number. Prints 'committed <table> <version>'.
 * argv: <store directory> <commits per table, 0 = forever> <table>...
 */
import { LocalStore, numericVector, stringVectorFromValues, Table, Types, type Vector } from '../../storage/index.js';

const [directory, commitsText, ...names] = process.argv.slice(2);
const store = await LocalStore.open(directory);
const tables = await Promise.all(names.map((name) => Table.open(store, name, { checkpointInterval: 4 })));
const commitsMax = Number(commitsText);
process.stdout.write('ready\n');
for (let round = 0; commitsMax === 0 || round < commitsMax; round++) {
  for (const table of tables) {
    const snapshot = await table.snapshot();
    const sequence = snapshot.version + 1;
    const rows = 1 + (sequence % 7) * 30;
    const ids = new Float64Array(rows);
    for (let i = 0; i < rows; i++) ids[i] = sequence * 1000 + i;
    const columns: Vector[] = [numericVector(Types.int64, ids)];
    // Tables of the fixtures' eventSchema also have a tag column: 'tag<id mod 3>', as load() writes it.
    if (table.schema.fields.length === 2) columns.push(stringVectorFromValues(Types.string, Array.from(ids, (id) => `tag${id % 3}`)));
    const meta = await table.writePartition([{ length: rows, columns }]);
    const version = await table.commit(snapshot.version, { add: [meta], remove: [], info: { operation: 'load', sequence, rows } });
    process.stdout.write(`committed ${table.name} ${version}\n`);
  }
}
