/** What other folders (bench/) may use of the CLI: the seeded sample-data helpers. */
export { makeRandom, writeAccessLogCsv } from './sample-data.js';
