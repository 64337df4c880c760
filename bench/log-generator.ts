/**
 * A deterministic machine-log generator: web access lines of an online shop with an application
 * message on some of them, as CSV (header first). Same seed, same bytes, any size.
 *
 *   node dist/bench/log-generator.js --lines 1000000 --seed 1 > access.csv
 *
 * What makes it realistic (and what compression can find in it): timestamps that only move
 * forward with a daily rhythm; visitors in sessions (one client address, browser and entry
 * referrer for a few dozen requests) drawn from a population with Zipf popularity; a URL space
 * with Zipf popularity; status codes, sizes and latencies that depend on the kind of request
 * (latency at millisecond resolution in seconds, as nginx's $request_time); a few hundred user
 * agents and referrers; application messages from templates with numbers, ids and keys filled in.
 */
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { makeRandom as randomSource } from '../cli/index.js';

/** Columns of the generated CSV, as a CREATE TABLE column list. */
export const logTableColumns = `ts TIMESTAMP NOT NULL, host VARCHAR NOT NULL, client_ip VARCHAR NOT NULL, method VARCHAR NOT NULL,
  path VARCHAR NOT NULL, status INTEGER NOT NULL, bytes BIGINT NOT NULL, referrer VARCHAR NOT NULL, user_agent VARCHAR NOT NULL,
  request_time DECIMAL(9,3) NOT NULL, level VARCHAR NOT NULL, message VARCHAR`;

/** The CSV header line. */
export const logCsvHeader = 'ts,host,client_ip,method,path,status,bytes,referrer,user_agent,request_time,level,message';

/** What to generate. */
export interface LogOptions {
  /** Lines to generate. */
  readonly lines: number;
  /** Seed of the pseudo-random source (default 1). */
  readonly seed?: number;
  /** Time of the first line, ms since epoch (default 2024-06-01T00:00:00Z). */
  readonly startMs?: number;
}

/** Distinct clients (IP addresses) the shop sees; how often each comes back is Zipf-distributed. */
const clientCount = 1_000_000;
/** Sessions in progress at any time: each request belongs to one of them. */
const sessionSlots = 500;
/** Mean requests of a session (geometric): a page view pulls a handful of assets and API calls. */
const sessionRequestsMean = 30;
/** Ids of users, orders and products that URLs and messages name. */
const entityIdsMax = 500_000;
/** Static assets (scripts, styles, images). */
const assetCount = 400;
/** Product pages with word slugs. */
const productCount = 20_000;

/** Samples ranks 0..n-1 with probability proportional to 1 / (rank + 1)^exponent. */
class Zipf {
  private readonly cumulative: Float64Array;

  constructor(n: number, exponent: number) {
    this.cumulative = new Float64Array(n);
    let total = 0;
    for (let rank = 0; rank < n; rank++) this.cumulative[rank] = total += 1 / (rank + 1) ** exponent;
    for (let rank = 0; rank < n; rank++) this.cumulative[rank] /= total;
  }

  sample(uniform: number): number {
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle] < uniform) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

const words = ['blue', 'red', 'green', 'black', 'white', 'classic', 'slim', 'organic', 'wireless', 'smart', 'leather', 'cotton', 'steel',
  'mini', 'pro', 'max', 'lamp', 'chair', 'table', 'shirt', 'jacket', 'phone', 'case', 'cable', 'charger', 'mug', 'kettle', 'shoe', 'bag',
  'watch', 'desk', 'sofa', 'pillow', 'blanket', 'bottle', 'speaker', 'camera', 'lens', 'tripod', 'book'];
const browsers = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'curl/8.5.0', 'python-requests/2.32.3', 'okhttp/4.12.0', 'Prometheus/2.53.0', 'kube-probe/1.30',
];

/** User agents: browsers in many minor versions, then bots and tools. */
function userAgents(random: () => number): string[] {
  const agents: string[] = [];
  for (let i = 0; i < 240; i++) {
    const base = browsers[Math.floor(random() * 6)];
    agents.push(base.replace(/(\d+)\.0\.0\.0|(\d+)\.0\)|17\.5/, (match) => `${match.split('.')[0]}.${i % 9}.${(i * 7) % 100}`));
  }
  return [...browsers, ...agents];
}

/** The shop's fixed universe: hosts, clients, assets, product slugs, agents, referrers. */
interface Universe {
  readonly hosts: string[];
  readonly assets: { path: string; bytes: number }[];
  readonly products: string[];
  readonly agents: string[];
  readonly referrers: string[];
}

function universe(random: () => number): Universe {
  const pick = (list: readonly string[]): string => list[Math.floor(random() * list.length)];
  const hosts = Array.from({ length: 8 }, (_, i) => `web-${String(i + 1).padStart(2, '0')}.eu-west-1`);
  const assets = Array.from({ length: assetCount }, (_, i) => {
    const kind = ['js', 'css', 'img', 'img', 'img'][i % 5];
    const extension = kind === 'img' ? ['png', 'jpg', 'webp', 'svg'][i % 4] : kind;
    const hash = Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0');
    return { path: `/static/${kind}/${pick(words)}-${pick(words)}.${hash}.${extension}`, bytes: 200 + Math.floor(random() ** 2 * 400_000) };
  });
  const products = Array.from({ length: productCount }, (_, i) => `${pick(words)}-${pick(words)}-${pick(words)}-${1000 + i}`);
  const referrers = ['-', 'https://www.google.com/', 'https://www.bing.com/', 'https://duckduckgo.com/', 'https://t.co/',
    ...products.slice(0, 200).map((slug) => `https://shop.example.com/products/${slug}`), 'https://shop.example.com/', 'https://shop.example.com/cart'];
  return { hosts, assets, products, agents: userAgents(random), referrers };
}

/** The IPv4 address of client number `rank`: a fixed scramble, so a returning client keeps its address. */
function clientAddress(rank: number): string {
  let h = Math.imul(rank + 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  const prefixes = [81, 84, 91, 176, 185, 213, 37, 62];
  return `${prefixes[(h >>> 24) & 7]}.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${1 + ((h & 255) % 254)}`;
}

/** Bytes of a generated page: fixed per path (a template), plus a little per-visitor content. */
function pageBytes(path: string, random: () => number): number {
  let h = 0;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 16777619);
  return 20_000 + ((h >>> 0) % 60_000) + Math.floor(random() * 256);
}

/** One request's fields before formatting. */
interface Request {
  method: string;
  path: string;
  status: number;
  bytes: number;
  latencyMs: number;
  kind: 'static' | 'page' | 'api' | 'health';
}

const httpMethods = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE'];
const resources = ['users', 'orders', 'products', 'carts', 'sessions', 'payments', 'reviews'];

/** Draws a request: the kind by weight, the target by Zipf, status, size and latency by kind. */
class RequestSource {
  private readonly assetRank = new Zipf(assetCount, 1.1);
  private readonly productRank = new Zipf(productCount, 1.0);
  private readonly entityRank = new Zipf(entityIdsMax, 0.9);

  constructor(private readonly random: () => number, private readonly world: Universe) {}

  next(): Request {
    const random = this.random;
    const roll = random();
    if (roll < 0.05) return { method: 'GET', path: '/health', status: 200, bytes: 15, latencyMs: random() < 0.9 ? 0 : 1, kind: 'health' };
    if (roll < 0.5) {
      const asset = this.world.assets[this.assetRank.sample(random())];
      const notModified = random() < 0.25;
      const status = random() < 0.005 ? 404 : notModified ? 304 : 200;
      return { method: 'GET', path: asset.path, status, bytes: status === 200 ? asset.bytes : status === 404 ? 162 : 0, latencyMs: this.latency(1.5, 0.8), kind: 'static' };
    }
    if (roll < 0.75) return this.page();
    return this.api();
  }

  private page(): Request {
    const random = this.random;
    const choice = random();
    const path = choice < 0.6 ? `/products/${this.world.products[this.productRank.sample(random())]}`
      : choice < 0.75 ? `/search?q=${words[Math.floor(random() * words.length)]}+${words[Math.floor(random() * words.length)]}`
        : ['/', '/cart', '/checkout', '/login', '/account', '/deals'][Math.floor(random() * 6)];
    const status = random() < 0.01 ? 404 : random() < 0.003 ? 500 : 200;
    return { method: 'GET', path, status, bytes: status === 200 ? pageBytes(path, random) : 1_024, latencyMs: this.latency(35, 0.6), kind: 'page' };
  }

  private api(): Request {
    const random = this.random;
    const method = httpMethods[Math.floor(random() * httpMethods.length)];
    const resource = resources[Math.floor(random() * resources.length)];
    const id = 1 + this.entityRank.sample(random());
    const path = random() < 0.7 ? `/api/v2/${resource}/${id}` : `/api/v2/${resource}?page=${1 + Math.floor(random() * 5)}&limit=50`;
    const failure = random();
    const status = failure < 0.004 ? 500 : failure < 0.006 ? 503 : failure < 0.03 ? 404 : failure < 0.045 ? 401 : failure < 0.06 ? 400
      : method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200;
    const bytes = status === 204 ? 0 : status >= 400 ? 64 + Math.floor(random() * 64) : 300 + Math.floor(random() ** 3 * 30_000);
    return { method, path, status, bytes, latencyMs: this.latency(status >= 500 ? 900 : 18, 0.9), kind: 'api' };
  }

  /** A log-normal latency in whole milliseconds with the given median. */
  private latency(medianMs: number, sigma: number): number {
    const normal = Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
    return Math.round(medianMs * Math.exp(sigma * normal));
  }
}

const reasons = ['insufficient funds', 'card expired', 'suspected fraud', 'issuer unavailable', '3-D Secure failed'];
const services = ['inventory', 'pricing', 'payments', 'recommendations', 'search'];
const tables = ['orders', 'order_items', 'products', 'users', 'carts'];

/** An application message for a request (or null: most requests log nothing), and its level. */
function message(random: () => number, request: Request, session: Session): { level: string; text: string | null } {
  const id = (): number => 1 + Math.floor(random() * entityIdsMax);
  const client = session.client;
  if (request.status >= 500) {
    return random() < 0.5
      ? { level: 'ERROR', text: `upstream ${services[Math.floor(random() * services.length)]} timed out after ${request.latencyMs} ms` }
      : { level: 'ERROR', text: `unhandled exception in ${request.method} ${request.path.split('?')[0]}: connection reset by peer` };
  }
  if (request.status >= 400) return { level: 'WARN', text: request.status === 401 ? `authentication failed for client ${client}` : null };
  if (request.kind !== 'api' && request.kind !== 'page') return { level: 'INFO', text: null };
  const roll = random();
  if (roll < 0.04) return { level: 'INFO', text: `user ${session.user} logged in from ${client}` };
  if (roll < 0.08) return { level: 'INFO', text: `order ${id()} created for user ${session.user}: ${1 + Math.floor(random() * 6)} items, total ${(5 + random() * 400).toFixed(2)} EUR` };
  if (roll < 0.1) return { level: 'WARN', text: `slow query on ${tables[Math.floor(random() * tables.length)]} took ${request.latencyMs} ms` };
  if (roll < 0.14) return { level: 'INFO', text: `cache miss for key ${resources[Math.floor(random() * resources.length)]}:${id()}` };
  if (roll < 0.15) return { level: 'WARN', text: `payment declined for order ${id()}: ${reasons[Math.floor(random() * reasons.length)]}` };
  if (roll < 0.16) return { level: 'INFO', text: `GC pause ${1 + Math.floor(random() * 40)} ms, heap ${200 + Math.floor(random() * 1800)} MB` };
  return { level: 'INFO', text: null };
}

/** A CSV field, quoted when it holds a comma, quote or line break. */
function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** "YYYY-MM-DD HH:MM:SS.mmm" of ms since epoch, UTC. */
function timestampText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

/** A visitor's session: who is asking, with what browser, from where, and for how many more requests. */
interface Session {
  client: string;
  agent: string;
  referrer: string;
  user: number;
  remaining: number;
}

/** The sessions in progress; a finished session's slot is taken by a new visitor at once. */
class Sessions {
  private readonly slots: Session[] = [];
  private readonly clientRank = new Zipf(clientCount, 1.0);
  private readonly agentRank: Zipf;
  private readonly referrerRank: Zipf;

  constructor(private readonly random: () => number, private readonly world: Universe) {
    this.agentRank = new Zipf(world.agents.length, 1.2);
    this.referrerRank = new Zipf(world.referrers.length, 1.3);
    for (let i = 0; i < sessionSlots; i++) this.slots.push(this.fresh());
  }

  /** The session the next request belongs to. */
  next(): Session {
    const slot = Math.floor(this.random() * sessionSlots);
    if (this.slots[slot].remaining-- <= 0) this.slots[slot] = this.fresh();
    return this.slots[slot];
  }

  private fresh(): Session {
    const random = this.random;
    const rank = this.clientRank.sample(random());
    return {
      client: clientAddress(rank),
      agent: this.world.agents[this.agentRank.sample(random())],
      referrer: this.world.referrers[this.referrerRank.sample(random())],
      user: 1 + ((rank * 7_919) % entityIdsMax),
      remaining: Math.floor(-Math.log(1 - random()) * sessionRequestsMean),
    };
  }
}

/** The CSV lines (without header, without line breaks) of a generated log. */
export function* generateLogLines(options: LogOptions): Generator<string> {
  const random = randomSource(options.seed ?? 1);
  const world = universe(random);
  const requests = new RequestSource(random, world);
  const sessions = new Sessions(random, world);
  let ms = options.startMs ?? Date.UTC(2024, 5, 1);
  for (let line = 0; line < options.lines; line++) {
    // Arrivals are Poisson with a daily rhythm: about 40 requests/s at night, 400 at the evening peak.
    const hour = new Date(ms).getUTCHours();
    const rate = 40 + 360 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI)) ** 2;
    ms += Math.round(-Math.log(1 - random()) * (1000 / rate));
    const request = requests.next();
    // Health checks come from the load balancers with their own agent; everything else from a visitor.
    const session: Session = request.kind === 'health'
      ? { client: `10.0.${line % 3}.10`, agent: 'kube-probe/1.30', referrer: '-', user: 0, remaining: 0 }
      : sessions.next();
    const { level, text } = message(random, request, session);
    const host = world.hosts[Math.floor(random() * world.hosts.length)];
    const referrer = request.kind === 'static' || request.kind === 'page' ? session.referrer : '-';
    yield `${timestampText(ms)},${host},${session.client},${request.method},${csvField(request.path)},${request.status},${request.bytes},` +
      `${csvField(referrer)},${csvField(session.agent)},${(request.latencyMs / 1000).toFixed(3)},${level},${text === null ? '' : csvField(text)}`;
  }
}

/** Bytes gathered before each write to stdout: few system calls without holding the whole log. */
const writeChunkBytes = 4 * 1024 * 1024;

/** Writes a generated log as CSV to file descriptor `fd`; returns the bytes written. */
export function writeLog(fd: number, options: LogOptions): number {
  let pending: string[] = [`${logCsvHeader}\n`];
  let pendingBytes = 0;
  let written = 0;
  const flush = (): void => {
    const chunk = Buffer.from(pending.join(''), 'utf8');
    for (let offset = 0; offset < chunk.length;) offset += writeSync(fd, chunk, offset);
    written += chunk.length;
    pending = [];
    pendingBytes = 0;
  };
  for (const line of generateLogLines(options)) {
    pending.push(line, '\n');
    pendingBytes += line.length + 1;
    if (pendingBytes >= writeChunkBytes) flush();
  }
  flush();
  return written;
}

function main(): void {
  const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' } } });
  const lines = Number(values.lines);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(lines) || lines < 0 || !Number.isSafeInteger(seed)) {
    process.stderr.write('usage: node dist/bench/log-generator.js [--lines N] [--seed S] > log.csv\n');
    process.exitCode = 2;
    return;
  }
  writeLog(1, { lines, seed });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
