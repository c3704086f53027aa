/**
 * A job's load from several load-generator processes, driven by the orchestrator as if it were one:
 * the same messages, the same checkpoints. Each member runs a slice of the job's clients (bench/load/
 * run-job.ts ClientSlice); every wait waits for all members, and what the orchestrator then sends goes
 * to all of them. The window opens at one instant for all (a 'go' at 'window' carries it, a little
 * ahead on the shared monotonic clock), so every member measures the same window and the reports
 * merge exactly (bench/load/merge-reports.ts). A restart asked for by the workload is made once,
 * when every member has asked, and its answer goes to all.
 *
 * A member is anything that talks the load process's messages (LoadMember): a ManagedChild on this
 * host, or a load process elsewhere behind the same interface.
 */
import { ManagedChild } from './child.ts';
import { nowNs } from '../servers/contract/clock.ts';
import { mergeLoadReports } from './load/merge-reports.ts';
import type { FromLoad, LoadPhase, LoadReport, ToLoad } from './load/ipc.ts';

/** One load process, as the group drives it (ManagedChild<ToLoad, FromLoad> is one). */
export interface LoadMember {
  readonly name: string;
  readonly pid: number | undefined;
  send(message: ToLoad): void;
  waitFor<T extends FromLoad['type']>(
    type: T,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Extract<FromLoad, { type: T }>>;
  onMessage(listener: (m: FromLoad) => void): () => void;
  stop(): Promise<void>;
}

/**
 * How far ahead of the 'go' the shared window start lies: time for the message to reach every
 * member and for each to wake from its timer (run-job.ts untilInstant). A member that is later than
 * this (a busy loop) reports it as startLagUs.
 */
const WINDOW_LEAD_MS = 25;

/** Splits `clients` into `n` contiguous slices, the first ones one larger when it does not divide. */
export function sliceClients(clients: number, n: number): { first: number; count: number }[] {
  const base = Math.floor(clients / n);
  const extra = clients % n;
  const slices = [];
  let first = 0;
  for (let k = 0; k < n; k++) {
    const count = base + (k < extra ? 1 : 0);
    slices.push({ first, count });
    first += count;
  }
  return slices;
}

/** The CPUs of a taskset list ("1", "2-5", "1,3"), one each, for spreading processes over them. */
export function cpusOf(list: string | null): string[] {
  if (list === null) return [];
  return list.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    if (b === undefined) return [String(a)];
    return Array.from({ length: b - a! + 1 }, (_, i) => String(a! + i));
  });
}

const LOAD_SCRIPT = './load/main.ts';

export class LoadGroup {
  private readonly slices: { first: number; count: number }[] = [];
  /** Each member's own report of the last 'result', in member order (a load agent's clock offset is in its own). */
  memberReports: LoadReport[] = [];

  constructor(readonly members: readonly LoadMember[]) {
    if (members.length === 0) throw new Error('a load group needs a member');
  }

  /**
   * `n` load processes on this host, spread round-robin over `cpus` (a taskset list; null: not pinned),
   * each started with `nodeFlags` (bench/load/node-flags.ts).
   */
  static local(n: number, cpus: string | null, nodeFlags: string[] = []): LoadGroup {
    const each = cpusOf(cpus);
    return new LoadGroup(
      Array.from(
        { length: n },
        (_, k) =>
          new ManagedChild<ToLoad, FromLoad>(
            n === 1 ? 'load generator' : `load process ${k + 1} of ${n}`,
            LOAD_SCRIPT,
            [],
            each.length > 0 ? each[k % each.length]! : null,
            nodeFlags,
          ),
      ),
    );
  }

  get size(): number {
    return this.members.length;
  }

  send(message: ToLoad): void {
    if (message.type === 'run') {
      const slices = sliceClients(message.params.clients, this.size);
      this.slices.splice(0, this.slices.length, ...slices);
      this.members.forEach((m, k) => m.send(this.size === 1 ? message : { ...message, slice: slices[k]! }));
      return;
    }
    // One process opens its window when told, as it always did; several at one instant ahead. At
    // 'idle' the instant is the origin of their clients' poll and message schedules (run-job.ts).
    if (message.type === 'go' && message.checkpoint !== 'drained' && this.size > 1) {
      const leadNs = message.checkpoint === 'window' ? BigInt(WINDOW_LEAD_MS * 1_000_000) : 0n;
      const atNs = (nowNs() + leadNs).toString();
      for (const m of this.members) m.send({ ...message, atNs });
      return;
    }
    for (const m of this.members) m.send(message);
  }

  /**
   * The message of `type` from every member: the first one's, or for 'result' the merged report.
   * 'restart-server' resolves once every member has asked (one restart for the group).
   */
  async waitFor<T extends FromLoad['type']>(
    type: T,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Extract<FromLoad, { type: T }>> {
    const all = await Promise.all(this.members.map((m) => m.waitFor(type, timeoutMs, signal)));
    if (type !== 'result') return all[0]!;
    const results = all as Extract<FromLoad, { type: 'result' }>[];
    this.memberReports = results.map((r) => r.report);
    const report = mergeLoadReports(
      results.map((r, k) => ({
        name: this.members[k]!.name,
        firstClient: this.slices[k]?.first ?? 0,
        clients: this.slices[k]?.count ?? r.report.connect?.requested ?? 0,
        report: r.report,
      })),
    );
    return { type: 'result', report } as Extract<FromLoad, { type: T }>;
  }

  /**
   * 'ready' once every member is; progress summed over members while they count clients (connect,
   * close), the first member's otherwise (the phases that count time are the same in all).
   */
  onMessage(listener: (m: FromLoad) => void): () => void {
    if (this.size === 1) return this.members[0]!.onMessage(listener);
    const ready = new Set<number>();
    const latest = new Map<number, { phase: LoadPhase; done: number; total: number }>();
    const offs = this.members.map((member, k) =>
      member.onMessage((m) => {
        if (m.type === 'ready') {
          ready.add(k);
          if (ready.size === this.size) listener(m);
        } else if (m.type === 'progress') {
          latest.set(k, m);
          if (m.phase === 'connect' || m.phase === 'close') {
            const same = [...latest.values()].filter((p) => p.phase === m.phase);
            listener({
              ...m,
              done: same.reduce((s, p) => s + p.done, 0),
              total: same.reduce((s, p) => s + p.total, 0),
            });
          } else if (k === 0) listener(m);
        }
      }),
    );
    return () => offs.forEach((off) => off());
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop()));
  }
}
