/**
 * A server group (config `processes` N > 1): this process becomes a node:cluster primary over N
 * worker processes, each servers/main.ts running the same config alone, all listening on one address.
 * The primary serves no client itself. It reports ready once every worker listens, answers stats by
 * asking every worker and merging (servers/cluster-stats.ts), replaces a worker that dies (same
 * config, counted), and on SIGTERM, `stop` or its parent's disconnect stops every worker before it
 * exits. If the primary itself is killed, each worker's IPC channel closes and node's cluster module
 * exits the worker at once, so no worker outlives its group.
 *
 * Scheduling: round robin (cluster.SCHED_RR, node's default on Linux) unless the config says 'none'.
 * With SCHED_NONE every worker accepts on the shared socket and the kernel wakes whichever it likes:
 * node's documentation reports connections piling onto a few processes (over 70% on two of eight),
 * and a feed's connections are long-lived (WebSocket, SSE, kept-alive polls), so an imbalance at
 * connect time would last the whole run and the group's latency would be its hottest worker's. Round
 * robin balances them; its price is that the primary accepts every connection and hands the socket to
 * a worker over IPC: a cost per connection (not per event), which the merged CPU bills to the group.
 * Bytes stay exact either way: the primary reads nothing from a socket it hands over. Measured once
 * (2 workers pinned to one core with the primary, 1,000 WebSocket clients connecting, then 3 s at
 * 10 events/s; a machine loaded by other work, so rough): round robin 500/500 and 499/501 clients,
 * primary 115-134 ms of CPU (~0.12 ms per connection); SCHED_NONE 543/457 and 493/507, primary
 * 21-31 ms. Round robin hands a connection to the next worker that is free (has acknowledged its
 * last one), so a burst of connects can tilt it a little (40 clients in a run: 22/18, 20/20). Both
 * spread well here; round robin spreads more evenly, and its cost is small and billed.
 */
import cluster, { type Worker } from 'node:cluster';
import { createProcessStats } from './contract/process-stats.ts';
import type { ServerConfig } from './contract/server-config.ts';
import type { FromServer, ServerStats, ToServer } from './contract/server-ipc.ts';
import { FRESH_ELU_WINDOW, mergeClusterStats, type EluWindow, type WorkerPart } from './cluster-stats.ts';

/** How long a worker may take to answer a stats request before the group answers with its last one. */
const WORKER_STATS_TIMEOUT_MS = 5000;
/** How long stopping workers may take before the rest are SIGKILLed (within main.ts's 2 s bound on a stop). */
const STOP_GRACE_MS = 1500;

interface Slot {
  index: number;
  worker: Worker;
  pid: number;
  /** The worker's ready message, once it came. */
  ready: { port: number; listeningNs: bigint } | undefined;
  last: ServerStats | undefined;
  /** Snapshotted just before a `kill-worker`: its figures are complete. */
  final: boolean;
  alive: boolean;
}

export interface ServerGroup {
  port: number;
  /** The earliest worker's listeningNs: a client could connect from then on. */
  listeningNs: bigint;
  pid: number;
  /** Every worker asked, merged with the primary's own figures (servers/cluster-stats.ts). */
  stats(options?: { resetWindow?: boolean; gc?: boolean }): Promise<ServerStats>;
  /** Snapshots worker `index` (its figures stay exact), SIGKILLs it and resolves with its pid once it is gone. */
  killWorker(index: number): Promise<number | undefined>;
  /** Stops every worker (SIGTERM, SIGKILL after a grace period) and resolves once all are gone. */
  close(): Promise<void>;
}

/**
 * Forks the workers and resolves once every one listens. Rejects if any fails before that (the others
 * are killed). `onFatal`: the group cannot serve any more (a replacement came back on another port).
 */
export function startServerGroup(
  config: Extract<ServerConfig, { role: 'feed' }>,
  onFatal: (message: string) => void,
): Promise<ServerGroup> {
  const workers = config.processes ?? 1;
  const scheduling = config.clusterScheduling ?? 'rr';
  // Before the first fork (setupPrimary freezes it).
  cluster.schedulingPolicy = scheduling === 'none' ? cluster.SCHED_NONE : cluster.SCHED_RR;
  // Each worker runs this same entry with the same argument; cluster.isWorker makes it serve alone.
  // The same argument matters: a replacement then listens on the same (address, port 0) key and gets
  // the group's shared handle while any worker holds it.
  cluster.setupPrimary({ exec: process.argv[1], args: process.argv.slice(2), execArgv: process.execArgv });
  const own = createProcessStats();
  const slots: Slot[] = [];
  const retired: Slot[] = [];
  let groupPort: number | undefined;
  let workerRestarts = 0;
  let exitsUncounted = 0;
  let staleSnapshots = 0;
  let eluWindow: EluWindow = FRESH_ELU_WINDOW;
  let stopping = false;
  let nextAsk = 1;
  const asked = new Map<number, (stats: ServerStats | undefined) => void>();
  /** Answers waiting on a worker, released with undefined if it exits first. */
  const pendingOf = new Map<Slot, Set<(stats: ServerStats | undefined) => void>>();
  let started: { resolve(group: ServerGroup): void; reject(err: Error): void };
  const ready = new Promise<ServerGroup>((resolve, reject) => (started = { resolve, reject }));

  const fork = (index: number): void => {
    const worker = cluster.fork();
    const slot: Slot = {
      index,
      worker,
      pid: worker.process.pid!,
      ready: undefined,
      last: undefined,
      final: false,
      alive: true,
    };
    slots[index] = slot;
    worker.on('message', (m: FromServer) => {
      if (m.type === 'ready') onReady(slot, m.port, BigInt(m.listeningNs));
      else if (m.type === 'stats') asked.get(m.id)?.(m.stats);
      else if (m.type === 'fatal' && groupPort === undefined) fail(`worker ${index} failed: ${m.message}`);
    });
    worker.on('exit', (code, signal) => onExit(slot, code, signal));
  };

  const fail = (message: string): void => {
    if (stopping) return;
    stopping = true;
    for (const slot of slots) if (slot.alive) slot.worker.process.kill('SIGKILL');
    own.stop();
    if (groupPort === undefined) started.reject(new Error(message));
    else onFatal(message);
  };

  const onReady = (slot: Slot, port: number, listeningNs: bigint): void => {
    slot.ready = { port, listeningNs };
    if (groupPort !== undefined) {
      // A replacement: without the port its clients come back to, the group cannot serve.
      if (port !== groupPort) fail(`worker ${slot.index} came back on port ${port}, not the group's ${groupPort}`);
      return;
    }
    if (slots.length < workers || !slots.every((s) => s.ready)) return;
    const ports = new Set(slots.map((s) => s.ready!.port));
    if (ports.size !== 1) return fail(`workers listen on different ports: ${[...ports].join(', ')}`);
    groupPort = port;
    const first = slots.reduce((a, s) => (s.ready!.listeningNs < a ? s.ready!.listeningNs : a), listeningNs);
    started.resolve({ port, listeningNs: first, pid: process.pid, stats: groupStats, killWorker, close });
  };

  const onExit = (slot: Slot, code: number | null, signal: string | null): void => {
    slot.alive = false;
    retired.push(slot);
    if (!slot.final) exitsUncounted++;
    for (const resolve of pendingOf.get(slot) ?? []) resolve(undefined);
    if (stopping) return;
    if (groupPort === undefined || !slot.ready)
      return fail(`worker ${slot.index} exited (code ${code}, signal ${signal}) before it was ready`);
    workerRestarts++;
    fork(slot.index);
  };

  const ask = (slot: Slot, resetWindow: boolean, gc: boolean): Promise<ServerStats | undefined> =>
    new Promise((resolve) => {
      const id = nextAsk++;
      const waiting = pendingOf.get(slot) ?? new Set();
      pendingOf.set(slot, waiting);
      const done = (stats: ServerStats | undefined) => {
        clearTimeout(timer);
        asked.delete(id);
        waiting.delete(done);
        if (stats) slot.last = stats;
        resolve(stats);
      };
      // No answer in time from a living worker: the merge takes its last snapshot, stale; counted.
      const timer = setTimeout(() => {
        staleSnapshots++;
        done(undefined);
      }, WORKER_STATS_TIMEOUT_MS);
      asked.set(id, done);
      waiting.add(done);
      // With a callback a closed channel (a worker dying now) is an error here, not an 'error' event that would end the primary.
      slot.worker.send({ type: 'stats', id, resetWindow, gc } satisfies ToServer, undefined, undefined, (err) => {
        if (err) done(undefined);
      });
    });

  const groupStats = async ({ resetWindow = false, gc = false } = {}): Promise<ServerStats> => {
    const living = slots.filter((s) => s.alive && s.ready);
    await Promise.all(living.map((s) => ask(s, resetWindow, gc)));
    const parts: WorkerPart[] = [...slots, ...retired.filter((r) => !slots.includes(r))].map((s) => ({
      pid: s.pid,
      index: s.index,
      alive: s.alive,
      stats: s.last,
    }));
    const merged = mergeClusterStats({
      primary: { pid: process.pid, process: own.snapshot({ resetWindow, gc }) },
      workers: parts,
      workersConfigured: workers,
      scheduling,
      workerRestarts,
      exitsUncounted,
      staleSnapshots,
      eluWindow,
      resetWindow,
    });
    eluWindow = merged.eluWindow;
    return merged.stats;
  };

  const killWorker = async (index: number): Promise<number | undefined> => {
    const slot = slots[index];
    if (!slot || !slot.alive) return undefined;
    // Its figures up to the kill, so the merged counters stay exact (the clients' reconnects come after).
    slot.final = (await ask(slot, false, false)) !== undefined;
    const exited = new Promise((resolve) => slot.worker.once('exit', resolve));
    slot.worker.process.kill('SIGKILL');
    await exited;
    return slot.pid;
  };

  let closed: Promise<void> | undefined;
  function close(): Promise<void> {
    closed ??= (async () => {
      stopping = true;
      const living = slots.filter((s) => s.alive);
      const exits = living.map((s) => new Promise((resolve) => s.worker.once('exit', resolve)));
      for (const s of living) s.worker.process.kill('SIGTERM');
      const timer = setTimeout(() => {
        for (const s of living) if (s.alive) s.worker.process.kill('SIGKILL');
      }, STOP_GRACE_MS);
      await Promise.all(exits);
      clearTimeout(timer);
      own.stop();
    })();
    return closed;
  }

  for (let index = 0; index < workers; index++) fork(index);
  return ready;
}
