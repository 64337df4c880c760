/**
 * A small, deterministic web-access-log data set for the demo store: the kind of machine data
 * strata archives (timestamps, IPs, URLs with skewed popularity, status codes, sizes, latencies).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** DDL of the sample table. */
export const accessLogDdl = `CREATE TABLE IF NOT EXISTS access_log (
  ts TIMESTAMP NOT NULL,
  client_ip VARCHAR NOT NULL,
  method VARCHAR NOT NULL,
  path VARCHAR NOT NULL,
  status INTEGER NOT NULL,
  bytes BIGINT NOT NULL,
  latency_ms DOUBLE NOT NULL,
  user_agent VARCHAR,
  referrer VARCHAR
)`;

/** mulberry32: a tiny seeded PRNG giving numbers in [0, 1), so the same seed always gives the same file (the bench's log generator uses it too). */
export function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const paths = ['/', '/index.html', '/api/v1/orders', '/api/v1/customers', '/static/app.js', '/static/app.css',
  '/login', '/logout', '/search', '/api/v1/health', '/images/logo.png', '/cart', '/checkout', '/help'];
const methods = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const statuses = [200, 200, 200, 200, 200, 200, 304, 301, 404, 500, 403];
const agents = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', 'Mozilla/5.0 (Windows NT 10.0) Chrome/130.0',
  'curl/8.5.0', 'Googlebot/2.1', 'Mozilla/5.0 (Macintosh) Safari/17.0'];
const referrers = ['https://www.example.com/', 'https://search.example.org/?q=strata', '', ''];

/** Writes `rows` CSV lines (with a header) of access-log records to `file`. */
export async function writeAccessLogCsv(file: string, rows: number, seed = 42): Promise<void> {
  const random = makeRandom(seed);
  const out = createWriteStream(file);
  out.write('ts,client_ip,method,path,status,bytes,latency_ms,user_agent,referrer\n');
  const startMs = Date.UTC(2026, 0, 1);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const ts = new Date(startMs + i * 1000 + Math.floor(random() * 1000)).toISOString().replace('T', ' ').replace('Z', '');
    const ip = `10.${Math.floor(random() * 4)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
    // Zipf-like popularity: squaring a uniform number favours the first paths.
    const path = paths[Math.floor(random() * random() * paths.length)];
    const status = statuses[Math.floor(random() * statuses.length)];
    const bytes = status === 304 ? 0 : Math.floor(200 + random() * random() * 200_000);
    const latency = (1 + random() * random() * 800).toFixed(3);
    const agent = random() < 0.02 ? '' : agents[Math.floor(random() * agents.length)];
    const referrer = referrers[Math.floor(random() * referrers.length)];
    chunk += `${ts},${ip},${methods[Math.floor(random() * methods.length)]},${path},${status},${bytes},${latency},"${agent}",${referrer}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
