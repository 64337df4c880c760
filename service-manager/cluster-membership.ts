/**
 * Cluster membership kept in the shared store: nodes started on the same store form one cluster.
 * Each node's record is a series of versioned files `cluster/members/<id>/<version>.json`
 * (create-if-absent, newest wins), so concurrent updates never tear a record. Liveness is not
 * written to the store (files are immutable): every node pings its peers' /health and keeps what
 * it saw in memory.
 */
import { StrataError, type Store } from '../storage/index.js';

/** A member's administrative state: active nodes get work; dormant ones finish theirs and get none. */
export type MemberState = 'active' | 'dormant';

/** What the store says about one node. */
export interface MemberRecord {
  readonly id: string;
  readonly url: string;
  readonly state: MemberState;
  readonly version: number;
  readonly updatedMs: number;
}

/** A member as a node sees it now. */
export interface MemberView extends MemberRecord {
  /** Answered its last health check within heartbeatTimeoutMs (always true for the local node). */
  readonly live: boolean;
  readonly lastSeenMs: number | null;
}

/** Timings of membership, each with why. */
export interface MembershipTimings {
  /** Health pings to peers: often enough that a dead node is noticed in seconds. */
  readonly heartbeatIntervalMs: number;
  /** A peer unseen this long is not live: three missed heartbeats. */
  readonly heartbeatTimeoutMs: number;
  /** Re-reading member records from the store: joins and removals show within this time. */
  readonly refreshIntervalMs: number;
}

/** Defaults of MembershipTimings. */
export const membershipTimingsDefault: MembershipTimings = { heartbeatIntervalMs: 500, heartbeatTimeoutMs: 2000, refreshIntervalMs: 1000 };

const membersDirectory = 'cluster/members';
/** Attempts to win the next record version before giving up (only concurrent updates of one node race). */
const recordWriteAttemptsMax = 20;

function versionName(version: number): string {
  return `${String(version).padStart(20, '0')}.json`;
}

/** Reads the newest record of every member. */
export async function readMembers(store: Store): Promise<MemberRecord[]> {
  const ids = (await store.list(membersDirectory)).filter((entry) => entry.isDirectory).map((entry) => entry.path.slice(entry.path.lastIndexOf('/') + 1));
  const records: MemberRecord[] = [];
  for (const id of ids) {
    const record = await readMember(store, id);
    if (record !== null) records.push(record);
  }
  return records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

async function readMember(store: Store, id: string): Promise<MemberRecord | null> {
  const versions = (await store.list(`${membersDirectory}/${id}`)).map((entry) => entry.path.slice(entry.path.lastIndexOf('/') + 1))
    .filter((name) => /^\d{20}\.json$/.test(name)).sort();
  const newest = versions.at(-1);
  if (newest === undefined) return null;
  const text = new TextDecoder().decode(await store.read(`${membersDirectory}/${id}/${newest}`));
  return JSON.parse(text) as MemberRecord;
}

/** Writes a new version of a member's record (register, remove, activate). */
export async function writeMember(store: Store, id: string, change: { url?: string; state?: MemberState }): Promise<MemberRecord> {
  for (let attempt = 0; attempt < recordWriteAttemptsMax; attempt++) {
    const current = await readMember(store, id);
    if (current === null && change.url === undefined) {
      throw new StrataError('not_found', 'NODE_NOT_FOUND', `node ${id} is not a member of this cluster; 'strata cluster list' shows the members`, { node: id });
    }
    const next: MemberRecord = {
      id, url: change.url ?? current!.url, state: change.state ?? current?.state ?? 'active',
      version: (current?.version ?? 0) + 1, updatedMs: Date.now(),
    };
    const created = await store.createIfAbsent(`${membersDirectory}/${id}/${versionName(next.version)}`, new TextEncoder().encode(JSON.stringify(next)));
    if (created) return next;
  }
  throw new StrataError('conflict', 'MEMBERSHIP_CONFLICT', `could not update node ${id}'s record: too many concurrent updates; retry`, { node: id });
}

/** One node's live view of the cluster. */
export class ClusterMembership {
  private records: MemberRecord[] = [];
  private readonly lastSeen = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly selfId: string,
    private readonly token: string | null,
    private readonly timings: MembershipTimings = membershipTimingsDefault,
  ) {}

  /** Registers this node at `url` (keeping a dormant state if an operator set it) and starts heartbeats. */
  async start(url: string): Promise<void> {
    const existing = (await readMembers(this.store)).find((record) => record.id === this.selfId);
    await writeMember(this.store, this.selfId, { url, state: existing?.state ?? 'active' });
    await this.refresh();
    this.timers.push(setInterval(() => { void this.refresh().catch(() => undefined); }, this.timings.refreshIntervalMs));
    this.timers.push(setInterval(() => { void this.heartbeat(); }, this.timings.heartbeatIntervalMs));
    for (const timer of this.timers) timer.unref();
    await this.heartbeat();
  }

  /** Stops heartbeats. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  /** Re-reads the member records from the store. */
  async refresh(): Promise<void> {
    this.records = await readMembers(this.store);
  }

  /** Every member with its liveness. */
  members(): MemberView[] {
    const now = Date.now();
    return this.records.map((record) => {
      const seen = record.id === this.selfId ? now : this.lastSeen.get(record.id) ?? null;
      return { ...record, live: seen !== null && now - seen <= this.timings.heartbeatTimeoutMs, lastSeenMs: seen };
    });
  }

  /** Active, live members: where new work goes. */
  workers(): MemberView[] {
    return this.members().filter((member) => member.live && member.state === 'active');
  }

  /** This node's own state as the store says. */
  selfState(): MemberState {
    return this.records.find((record) => record.id === this.selfId)?.state ?? 'active';
  }

  /** Records that a peer answered just now (an RPC success counts as a heartbeat). */
  markSeen(id: string): void {
    this.lastSeen.set(id, Date.now());
  }

  /** Records that a peer failed (an RPC failure makes it not live until it answers again). */
  markFailed(id: string): void {
    this.lastSeen.delete(id);
  }

  private async heartbeat(): Promise<void> {
    if (this.stopped) return;
    const headers: Record<string, string> = this.token === null ? {} : { authorization: `Bearer ${this.token}` };
    await Promise.all(this.records.filter((record) => record.id !== this.selfId).map(async (record) => {
      try {
        const response = await fetch(`${record.url}/health`, { headers, signal: AbortSignal.timeout(this.timings.heartbeatIntervalMs * 2) });
        const body = await response.json() as { node?: string };
        if (response.ok && body.node === record.id) this.markSeen(record.id);
      } catch {
        // Unreachable: it stops being live once heartbeatTimeoutMs passes without an answer.
      }
    }));
  }
}
