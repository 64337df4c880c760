/**
 * A real HDFS for tests: builds (once, cached) and starts the Java launcher in this folder
 * (MiniHdfsLauncher: Hadoop's MiniDFSCluster, one NameNode and N DataNodes with WebHDFS on
 * 127.0.0.1). Needs Java 17+ and Maven; the first build downloads Hadoop's client jars from Maven
 * Central into ~/.m2, later ones run offline. The built jar and its classpath are cached under
 * <repo>/.cache/hdfs/<hash of the launcher's sources>/.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Longest wait for the cluster's ready line, in ms (a cold JVM on a busy 2-core machine). */
const startTimeoutMsDefault = 180_000;
/** Longest wait for a Maven build, in ms (the first one downloads ~90 MiB). */
const buildTimeoutMs = 600_000;
/** Longest wait for a DataNode command or a clean shutdown, in ms. */
const commandTimeoutMs = 120_000;
/** Bytes of the launcher's stderr kept for error messages. */
const stderrTailBytes = 16 * 1024;

/** A running minicluster. */
export interface MiniHdfs {
  /** NameNode HTTP (WebHDFS) address, http://127.0.0.1:PORT. */
  readonly namenodeUrl: string;
  /** The HDFS superuser: the OS user running the NameNode. */
  readonly superuser: string;
  /** The DataNodes as started, by index. */
  readonly dataNodes: readonly MiniHdfsDataNode[];
  /** Stops DataNode `index` (0-based, as started); its blocks stay readable from other replicas. */
  stopDataNode(index: number): Promise<void>;
  /** Restarts a stopped DataNode on its old ports. */
  restartDataNode(index: number): Promise<void>;
  /** Puts the NameNode into safe mode (read-only; writes fail with SafeModeException). */
  enterSafeMode(): Promise<void>;
  /** Takes the NameNode out of safe mode. */
  leaveSafeMode(): Promise<void>;
  /** Shuts the cluster down and deletes its files. */
  stop(): Promise<void>;
}

/** One DataNode of the minicluster. */
export interface MiniHdfsDataNode {
  readonly index: number;
  /** Its HTTP (WebHDFS) port. */
  readonly httpPort: number;
  /** host:port of its block transfer service: the `names` of block locations. */
  readonly xferAddress: string;
}

/** Options of startMiniHdfs. */
export interface MiniHdfsOptions {
  /** DataNodes to start (default 3). */
  readonly dataNodes?: number;
  /** Longest wait for the cluster to come up, in ms. */
  readonly startTimeoutMs?: number;
}

interface LauncherEvent {
  readonly event: string;
  readonly namenodeUrl?: string;
  readonly superuser?: string;
  readonly message?: string;
  readonly index?: number;
  readonly dataNodes?: MiniHdfsDataNode[];
}

/** Builds the launcher if needed, starts a cluster and waits until it serves WebHDFS. */
export async function startMiniHdfs(options: MiniHdfsOptions = {}): Promise<MiniHdfs> {
  const dataNodeCount = options.dataNodes ?? 3;
  const launcher = await launcherBuild();
  const baseDirectory = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-minihdfs-'));
  const child = spawn('java', [...jvmFlags, '-cp', launcher.classpath, 'strata.hdfs.MiniHdfsLauncher',
    path.join(baseDirectory, 'dfs'), String(dataNodeCount)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const events = new LauncherEvents(child);
  try {
    const ready = await events.next(['ready'], options.startTimeoutMs ?? startTimeoutMsDefault, 'start the HDFS minicluster');
    return runningCluster(child, events, ready, baseDirectory);
  } catch (error) {
    await stopProcess(child);
    await fs.rm(baseDirectory, { recursive: true, force: true });
    throw error;
  }
}

/** JVM flags: quick start-up (client compiler, serial GC, small heap) on small shared machines. */
const jvmFlags = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xms64m', '-Xmx768m', '-Xss512k',
  '-Djava.net.preferIPv4Stack=true', '-Djava.awt.headless=true'];

function runningCluster(child: ChildProcessWithoutNullStreams, events: LauncherEvents, ready: LauncherEvent,
  baseDirectory: string): MiniHdfs {
  let stopping: Promise<void> | undefined;
  const command = async (line: string, expected: string): Promise<void> => {
    child.stdin.write(`${line}\n`);
    await events.next([expected], commandTimeoutMs, line);
  };
  return {
    namenodeUrl: String(ready.namenodeUrl),
    superuser: String(ready.superuser),
    dataNodes: ready.dataNodes ?? [],
    stopDataNode: (index) => command(`stopDataNode ${index}`, 'dataNodeStopped'),
    restartDataNode: (index) => command(`restartDataNode ${index}`, 'dataNodeRestarted'),
    enterSafeMode: () => command('enterSafeMode', 'safeModeEntered'),
    leaveSafeMode: () => command('leaveSafeMode', 'safeModeLeft'),
    stop: () => {
      stopping ??= (async () => {
        await stopProcess(child);
        await fs.rm(baseDirectory, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** Reads the launcher's JSON lines and hands them to whoever waits; keeps a tail of stderr. */
class LauncherEvents {
  private readonly queue: LauncherEvent[] = [];
  private waiter: (() => void) | undefined;
  private exitCode: number | null | undefined;
  private stderrTail = '';

  constructor(child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.queue.push(JSON.parse(line) as LauncherEvent);
      } catch {
        this.stderrTail += `${line}\n`;
      }
      this.waiter?.();
    });
    child.stderr.on('data', (data: Buffer) => {
      this.stderrTail = (this.stderrTail + data.toString('utf8')).slice(-stderrTailBytes);
    });
    child.on('error', (error) => {
      this.stderrTail += `${error.message}${(error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (is Java 17+ installed and on PATH?)' : ''}\n`;
      this.exitCode = null;
      this.waiter?.();
    });
    child.on('exit', (code) => {
      this.exitCode = code;
      this.waiter?.();
    });
  }

  /** The next event of one of the `kinds`; an "error" event, an exit or the timeout throw. */
  async next(kinds: readonly string[], timeoutMs: number, what: string): Promise<LauncherEvent> {
    const deadlineMs = Date.now() + timeoutMs;
    for (;;) {
      const event = this.queue.shift();
      if (event !== undefined) {
        if (kinds.includes(event.event)) return event;
        if (event.event === 'error') throw new Error(`cannot ${what}: the HDFS launcher says: ${event.message}`);
        continue;
      }
      if (this.exitCode !== undefined) {
        throw new Error(`cannot ${what}: the HDFS launcher exited (code ${this.exitCode}). Its stderr ends with:\n${this.stderrTail}`);
      }
      const remainingMs = deadlineMs - Date.now();
      if (remainingMs <= 0) {
        throw new Error(`cannot ${what}: no answer from the HDFS launcher within ${timeoutMs} ms. Its stderr ends with:\n${this.stderrTail}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remainingMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }
}

/** Closes stdin (the launcher's signal to shut down), then SIGTERM, then SIGKILL. */
async function stopProcess(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const within = (ms: number): Promise<boolean> =>
    Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
  child.stdin.end();
  if (await within(commandTimeoutMs / 4)) return;
  child.kill('SIGTERM');
  if (await within(commandTimeoutMs / 4)) return;
  child.kill('SIGKILL');
  await exited;
}

interface LauncherBuild {
  /** Launcher jar plus Hadoop's jars, ':'-joined. */
  readonly classpath: string;
}

let buildOnce: Promise<LauncherBuild> | undefined;

/** The built launcher, building it with Maven when its sources changed or nothing is cached. */
function launcherBuild(): Promise<LauncherBuild> {
  buildOnce ??= buildLauncher().catch((error: unknown) => {
    buildOnce = undefined;
    throw error;
  });
  return buildOnce;
}

async function buildLauncher(): Promise<LauncherBuild> {
  const repoRoot = findRepoRoot();
  const sourceDirectory = path.join(repoRoot, 'test', 'support', 'hdfs');
  const cacheRoot = path.join(repoRoot, '.cache', 'hdfs');
  const cached = path.join(cacheRoot, await sourceHash(sourceDirectory));
  const found = await cachedBuild(cached);
  if (found !== undefined) return found;
  // Build into a private directory and rename it into place: other processes (other test runs
  // on the same checkout) may build at the same time, and nobody must see a half-built cache.
  await fs.mkdir(cacheRoot, { recursive: true });
  const building = path.join(cacheRoot, `build-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await runMaven(sourceDirectory, building);
    await fs.copyFile(path.join(building, 'target', 'strata-mini-hdfs.jar'), path.join(building, 'launcher.jar'));
    await fs.rm(path.join(building, 'target'), { recursive: true, force: true });
    await fs.rm(cached, { recursive: true, force: true });
    await fs.rename(building, cached).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await fs.rm(building, { recursive: true, force: true });
  }
  const built = await cachedBuild(cached);
  if (built === undefined) throw new Error(`the HDFS launcher build left no usable jar in ${cached}`);
  return built;
}

async function cachedBuild(directory: string): Promise<LauncherBuild | undefined> {
  try {
    const dependencies = (await fs.readFile(path.join(directory, 'classpath.txt'), 'utf8')).trim().split(path.delimiter);
    const jar = path.join(directory, 'launcher.jar');
    // ~/.m2 may have been cleaned since the build: then build (and download) again.
    if (!existsSync(jar) || dependencies.some((entry) => !existsSync(entry))) return undefined;
    return { classpath: [jar, ...dependencies].join(path.delimiter) };
  } catch {
    return undefined;
  }
}

/** `mvn -q -o` first (fast when ~/.m2 has everything), then online. */
async function runMaven(sourceDirectory: string, outputDirectory: string): Promise<void> {
  const goals = ['-q', '-B', 'package', 'dependency:build-classpath',
    `-Dmdep.outputFile=${path.join(outputDirectory, 'classpath.txt')}`, `-Dstrata.buildDir=${path.join(outputDirectory, 'target')}`];
  const offline = await run('mvn', ['-o', ...goals], sourceDirectory);
  if (offline.code === 0) return;
  const online = await run('mvn', goals, sourceDirectory);
  if (online.code === 0) return;
  throw new Error(`cannot build the HDFS test launcher in ${sourceDirectory} with Maven (needs Java 17+, Maven and Maven Central ` +
    `or a filled ~/.m2). mvn exited ${online.code}:\n${online.output.slice(-stderrTailBytes)}`);
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (data: Buffer): void => {
      output = (output + data.toString('utf8')).slice(-stderrTailBytes);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), buildTimeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}${error.message} (is Maven installed and on PATH?)` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Hash of the launcher's sources (pom.xml and src/): a change means a rebuild. */
async function sourceHash(sourceDirectory: string): Promise<string> {
  const hash = createHash('sha256');
  const files = ['pom.xml', ...(await filesUnder(path.join(sourceDirectory, 'src'))).map((file) => path.relative(sourceDirectory, file))];
  for (const file of files.sort()) {
    hash.update(file).update('\0').update(await fs.readFile(path.join(sourceDirectory, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await fs.readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(full) : Promise.resolve([full]);
  }));
  return nested.flat();
}

/** The repository root: the nearest ancestor of this file holding package.json and test/support/hdfs. */
function findRepoRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(directory, 'package.json')) && existsSync(path.join(directory, 'test', 'support', 'hdfs', 'pom.xml'))) {
      return directory;
    }
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error(`cannot find the repository root above ${fileURLToPath(import.meta.url)}`);
    directory = parent;
  }
}
