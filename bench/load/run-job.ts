/**
 * One measured run inside the load-generator process: N subscribers of one transport, then
 * prewarm -> connect -> warm-up -> window (coordinated with the orchestrator, which snapshots the
 * server at both edges) -> drain. Only the window counts; everything before it is excluded.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { directPool } from '../clients/direct-pool.ts';
import { serverHttpVersion } from '../server-http-version.ts';
import { TRANSPORT_TRAITS } from '../../servers/contract/transport-traits.ts';
import {
  firstEventOnly,
  makeSchedule,
  periodMs,
  seqRangeInWindow,
  type Schedule,
} from '../../servers/contract/schedule.ts';
import { clientFactories, type TransportClient } from '../clients/index.ts';
import { diffCounters, sumCounters } from '../clients/counters.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import { DeliveryWindow } from './delivery.ts';
import { DropScheduler, backFromDrops, dropsDrainExtraMs } from './drops.ts';
import { RestartRecovery, type ServerRestart } from './restart-recovery.ts';
import { alignedWindowMs } from './window.ts';
import { CONNECT_CONCURRENCY, connectClients, connectDeadlineMs } from './connect.ts';
import { openSlowReaders, type SlowReaders } from './slow-readers.ts';
import { encodeHistogram, newLatencyHistogram, summarize } from './histogram.ts';
import { LOOP_DELAY_RESOLUTION_MS, loopDelayUs } from '../../servers/contract/process-stats.ts';
import type { LoadPhase, LoadReport, LoadTiming } from './ipc.ts';
import type { JobParams } from '../result-schema.ts';

export interface JobHooks {
  progress(phase: LoadPhase, done: number, total: number): void;
  /**
   * Resolves when the orchestrator has snapshotted the server: at `idle` (JIT prewarm done, no
   * client yet: the memory baseline), at `window` (the measurement window may open) and at
   * `drained` (late events are in, clients still connected: retained memory). With several load
   * processes it resolves at `idle` with the clients' schedule origin and at `window` with the instant
   * the window opens at (nowNs both), shared by every load process of the job.
   */
  checkpoint(name: 'idle' | 'window' | 'drained'): Promise<bigint | void>;
  windowEnded(startNs: bigint, endNs: bigint): void;
  /** Workload `restart`: kill the server, start it again on its port, resolve once it is ready. */
  restartServer?(): Promise<ServerRestart>;
}

/** Longest wait after the window for late events; what has not arrived by then counts as lost. */
export const DRAIN_CAP_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * JIT warm-up for the polling servers (the transports whose traits name a jitPrewarm path).
 * Measured (fresh express server each time, 2 cores shared with other work): the round trip falls from ~190-470 µs cold to ~90-140 µs after 2,000 requests and no
 * further by 5,000, but the server's CPU per request keeps falling: ~240 µs for the first 250
 * requests, ~80-110 µs around 2,000, ~60-80 µs around 5,000, ~53 µs at 7,000. So the default keeps
 * 5,000 requests. 32 connections give the server the same requests (the same JIT feedback) in
 * ~20-40% less wall time than 8 (5,000 requests: ~800-840 ms instead of ~1,060 ms).
 */
const PREWARM_CONNECTIONS = 32;

async function prewarm(
  target: JobTarget,
  since: number,
  params: JobParams,
  requests: number,
  hooks: JobHooks,
): Promise<void> {
  const route = TRANSPORT_TRAITS[params.transport].jitPrewarm;
  if (requests === 0 || route === null) return;
  // Straight to the server, not through the path: the prewarm warms the server's JIT, and over an
  // emulated 150 ms round trip its 5,000 requests would take half a minute.
  // In the server's own HTTP version, so the prewarm exercises the code the run will.
  const pool = directPool(
    `${target.serverTls ? 'https' : 'http'}://${target.host ?? '127.0.0.1'}:${target.serverPort}`,
    {
      connections: PREWARM_CONNECTIONS,
      http: serverHttpVersion(params),
      ...(target.serverTls && target.tls ? { ca: target.tls.ca } : {}),
    },
  );
  // From the current seq, like a live client: small bodies, not the whole ring since seq 0.
  const path = `${route.path}?since=${since}${route.query}`;
  let sent = 0;
  const worker = async () => {
    while (sent < requests) {
      sent++;
      const { body } = await pool.request({ method: 'GET', path });
      await body.dump();
      if (sent % 1000 === 0) hooks.progress('prewarm', sent, requests);
    }
  };
  try {
    await Promise.all(Array.from({ length: PREWARM_CONNECTIONS }, worker));
  } finally {
    await pool.close();
  }
}

/** Where a run's clients connect, and the server behind the path (see ToLoad 'run' in ipc.ts). */
export interface JobTarget {
  /** The address the server (or its path) listens on; 127.0.0.1 unless a load agent runs elsewhere. */
  host?: string;
  port: number;
  serverPort: number;
  serverTls: boolean;
  tls?: { ca: string };
  /** Source addresses the clients bind to, client i to the (i mod length)th (bench/source-addresses.ts); absent: the system picks. */
  localAddresses?: string[];
}

/**
 * The clients this process runs: global indices [first, first + count) of the job's params.clients
 * (bench/load-group.ts splits a job over processes). A client keeps its global index wherever it
 * places the client among all of them (poll and message phases, drop picks, source address), so
 * several processes run the same clients as one. The job's one-off extras (the JIT prewarm, slow
 * readers) run in the process that holds client 0.
 */
export interface ClientSlice {
  first: number;
  count: number;
}

/** Before a window opening at a shared instant: slept to this much before it, then spun (setTimeout is ms-coarse). */
const SPIN_BEFORE_START_MS = 2;

/**
 * The first instant at or after `atNs` halfway between two scheduled events: where several load
 * processes open (and, the window being whole event periods, close) their window. A process that
 * reads its counters late, by less than half an event period, then still counts every window event
 * on the right side of the edge. Every process computes the same instant from the same inputs.
 */
export function midGapFrom(schedule: Schedule, feedStartNs: bigint, atNs: bigint): bigint {
  const at = Number(atNs - feedStartNs);
  // The first event due at or after atNs, and the one before it.
  const next = schedule.dueCount(at - 1) + 1;
  const t1 = schedule.offsetNs(next);
  if (!Number.isFinite(t1)) return atNs;
  const t0 = next > 1 ? schedule.offsetNs(next - 1) : t1 - periodMs(schedule.shape) * 1e6;
  if (feedStartNs + BigInt(Math.round((t0 + t1) / 2)) >= atNs) return feedStartNs + BigInt(Math.round((t0 + t1) / 2));
  // A burst's events share one time: the next gap starts at the first event after them.
  let after = next + 1;
  while (schedule.offsetNs(after) <= t1) after++;
  return feedStartNs + BigInt(Math.round((t1 + schedule.offsetNs(after)) / 2));
}

async function untilInstant(atNs: bigint): Promise<void> {
  const sleepMs = Number(atNs - nowNs()) / 1e6 - SPIN_BEFORE_START_MS;
  if (sleepMs > 0) await sleep(sleepMs);
  while (nowNs() < atNs) {
    // Bounded by atNs: at most SPIN_BEFORE_START_MS plus the timer's lateness.
  }
}

export async function runJob(
  target: JobTarget,
  feedStartNs: bigint,
  params: JobParams,
  timing: LoadTiming,
  hooks: JobHooks,
  slice: ClientSlice = { first: 0, count: params.clients },
): Promise<LoadReport> {
  const holdsExtras = slice.first === 0;
  // The same schedule the publisher runs (bench/publisher/feed.ts): an idle job's window expects no event.
  const schedule =
    params.workload.kind === 'idle' ? firstEventOnly(makeSchedule(params.shape)) : makeSchedule(params.shape);
  const factory = clientFactories[params.transport];
  const clients: TransportClient[] = [];
  let slowReaders: SlowReaders | undefined;
  let window: DeliveryWindow | undefined;
  const firstEventNs: (bigint | undefined)[] = [];
  const startedNs: bigint[] = [];
  let closing: Promise<void> | undefined;
  const closeClients = () => {
    if (!closing) {
      hooks.progress('close', 0, clients.length);
      closing = Promise.all(clients.map((c) => c.close())).then(() => {});
    }
    return closing;
  };

  try {
    const dueNow = () => schedule.dueCount(Number(nowNs() - feedStartNs));
    await prewarm(target, Math.max(0, dueNow() - 1), params, holdsExtras ? timing.prewarmRequests : 0, hooks);
    // Several load processes get one origin for their clients' poll and message schedules, so their
    // phases spread over the interval as one process's do.
    const sharedOriginNs = await hooks.checkpoint('idle');

    // Everyone starts "live": from the seq that is due now, not from the ring's backlog.
    const since = dueNow();
    const pollOriginNs = sharedOriginNs || nowNs();
    // Upstream messages sent inside the window: [start, end) once the window opens.
    let messageWindow: { startNs: bigint; endNs: bigint } | undefined = undefined;
    const oneWayUs = newLatencyHistogram();
    const roundTripUs = newLatencyHistogram();
    // Forced drops (issue 12): seeded from the feed's start, so each run picks anew and records how.
    const w = params.workload;
    const drops =
      w.kind === 'drops'
        ? new DropScheduler(clients, w, Number(BigInt.asUintN(32, feedStartNs)), { ...slice, total: params.clients })
        : undefined;
    const restart = w.kind === 'restart' ? new RestartRecovery(clients) : undefined;
    const restartServer = hooks.restartServer;
    if (restart && !restartServer) throw new Error('a restart workload needs a restartServer hook');
    const sources = target.localAddresses;
    for (let i = 0; i < slice.count; i++) {
      const index = i;
      const global = slice.first + i;
      clients.push(
        factory({
          host: target.host ?? '127.0.0.1',
          port: target.port,
          ...(sources && sources.length > 0 && { localAddress: sources[global % sources.length]! }),
          ...(target.tls ? { tls: target.tls } : {}),
          since,
          pollIntervalMs: params.pollIntervalMs ?? undefined,
          // Spread polls evenly over the interval, as independent browsers would be.
          pollPhase: (global + 0.5) / params.clients,
          pollOriginNs,
          longPollWaitMs: params.longPollWaitMs ?? undefined,
          perMessageDeflate: params.perMessageDeflate,
          http: params.http,
          requestHeaders: { profile: params.requestHeaders, cookieBytes: params.cookieBytes },
          encoding: params.encoding,
          compression: params.compression,
          ...(params.upstream && {
            upstream: {
              ...params.upstream,
              // Spread over the interval like the polls, from the same origin.
              phase: (global + 0.5) / params.clients,
              originNs: pollOriginNs,
              onEcho(sample) {
                if (!messageWindow || sample.sentNs < messageWindow.startNs || sample.sentNs >= messageWindow.endNs)
                  return;
                oneWayUs.recordValue(Math.max(1, Number(sample.serverReceivedNs - sample.sentNs) / 1000));
                roundTripUs.recordValue(Math.max(1, Number(sample.echoReceivedNs - sample.sentNs) / 1000));
              },
            },
          }),
          ...(restart && { onAnswered: (atNs: bigint, sentNs: bigint) => restart.answered(index, atNs, sentNs) }),
          onEvents(events, receivedNs) {
            if (firstEventNs[index] === undefined) firstEventNs[index] = receivedNs;
            window?.record(index, events, receivedNs);
            drops?.record(index, events, receivedNs);
          },
        }),
      );
    }

    // Bounded in time: clients not connected by the deadline are closed and left out of the window.
    const { outcome: connect, unconnected } = await connectClients(clients, {
      // The job's deadline and its share of the connects in flight: N processes connect as one would.
      deadlineMs: timing.connectDeadlineMs ?? connectDeadlineMs(params.clients),
      concurrency: Math.ceil((CONNECT_CONCURRENCY * slice.count) / params.clients),
      onStart: (i) => (startedNs[i] = nowNs()),
      progress: (done, total) => hooks.progress('connect', done, total),
    });

    if (holdsExtras) slowReaders = await openSlowReaders(params, target, since);
    hooks.progress('warmup', 0, timing.warmupMs);
    await sleep(timing.warmupMs);

    const windowMs = alignedWindowMs(timing.measureMs, schedule, timing.alignToPollIntervalsMs);
    const goNs = await hooks.checkpoint('window');
    const sharedStartNs = goNs ? midGapFrom(schedule, feedStartNs, goNs) : undefined;
    if (sharedStartNs) await untilInstant(sharedStartNs);
    // Several processes open the window at the one instant they were given (their counters are read
    // microseconds after it: see untilInstant); one alone opens it when told.
    const startNs = sharedStartNs || nowNs();
    const { first: firstSeq } = seqRangeInWindow(schedule, feedStartNs, startNs, startNs + 1n);
    window = new DeliveryWindow(
      startNs,
      firstSeq,
      clients.length,
      Math.ceil((windowMs / 1000) * schedule.meanRatePerSec * 1.2) + 16,
    );
    window.exclude(unconnected);
    // Counters are read in the same synchronous turn as the clock: no socket callback runs between
    // them, and an answer or frame is counted with its events when complete, so both are before this
    // reading or both after. Socket bytes count as they are read: a message still being read at an
    // edge can put its bytes on the other side (at most one per client per edge).
    const before = sumCounters(clients);
    const startLagUs = sharedStartNs ? Number(nowNs() - startNs) / 1000 : undefined;
    const cpuBefore = process.cpuUsage();
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();

    // The window ends on the hrtime clock, exactly windowMs after it began; progress on the way.
    const windowEndNs = startNs + BigInt(Math.round(windowMs * 1e6));
    messageWindow = { startNs, endNs: windowEndNs };
    drops?.start(startNs, windowEndNs, nowNs);
    // Workload `restart`: the server is killed and started again at the window's middle.
    let restartAtNs = restart ? startNs + (windowEndNs - startNs) / 2n : undefined;
    for (let now = nowNs(); now < windowEndNs; now = nowNs()) {
      hooks.progress('measure', Number(now - startNs) / 1e6, windowMs);
      if (restartAtNs !== undefined && now >= restartAtNs) {
        restartAtNs = undefined;
        await restart!.run(nowNs, () => sumCounters(clients).errors, restartServer!);
        continue;
      }
      const untilNs = restartAtNs !== undefined && restartAtNs < windowEndNs ? restartAtNs : windowEndNs;
      await sleep(Math.min(500, Number(untilNs - now) / 1e6));
    }

    const endNs = windowEndNs;
    drops?.stop();
    window.close(endNs);
    // The counting window ends when the counters are read, which is at or (when this loop is busy)
    // after the scheduled end: per-event figures divide counts of this one span, so its own length
    // is what per-second figures divide by.
    const countedUntilNs = nowNs();
    const after = sumCounters(clients);
    const cpu = process.cpuUsage(cpuBefore);
    loopDelay.disable();
    hooks.windowEnded(startNs, endNs);
    const { last: lastSeq } = seqRangeInWindow(schedule, feedStartNs, startNs, endNs);

    // Let events scheduled inside the window arrive: wait until every client has the window's last
    // event, at least drainMs, at most DRAIN_CAP_MS more (plus one interval for short polling).
    // Only what is still missing then counts as lost: "not delivered within the drain cap".
    const drainStart = Date.now();
    const minDrainMs = timing.drainMs;
    const maxDrainMs =
      timing.drainMs +
      DRAIN_CAP_MS +
      (timing.drainCapExtraMs ?? 0) +
      (params.pollIntervalMs ?? 0) +
      dropsDrainExtraMs(params.workload);
    // A client offline after a forced drop is not caught up even when it holds the window's last event.
    const caughtUp = () =>
      clients.every((c) => c.connectedNs === undefined || (c.lastSeq >= lastSeq && backFromDrops(c)));
    for (;;) {
      const waited = Date.now() - drainStart;
      hooks.progress('drain', waited, maxDrainMs);
      if ((waited >= minDrainMs && caughtUp()) || waited >= maxDrainMs) break;
      await sleep(Math.min(50, maxDrainMs - waited));
    }
    const drainedMs = Date.now() - drainStart;
    await hooks.checkpoint('drained');

    const windowNs = Number(countedUntilNs - startNs);
    const connectUs = newLatencyHistogram();
    const ttfeUs = newLatencyHistogram();
    clients.forEach((c, i) => {
      if (c.connectedNs !== undefined) connectUs.recordValue(Math.max(1, Number(c.connectedNs - startedNs[i]!) / 1000));
      const first = firstEventNs[i];
      if (first !== undefined) ttfeUs.recordValue(Math.max(1, Number(first - startedNs[i]!) / 1000));
    });
    const totals = sumCounters(clients);
    await sleep(timing.quietBeforeCloseMs ?? 0);
    // Whole-run socket totals, for auditing a run against a capture: after every client has closed,
    // so nothing is still in flight.
    await closeClients();
    const runTotals = sumCounters(clients);

    return {
      startNs: startNs.toString(),
      endNs: endNs.toString(),
      firstSeq,
      lastSeq,
      drainedMs,
      delivery: window.counts(lastSeq),
      latency: encodeHistogram(window.latencyUs),
      ...(params.upstream && {
        upstream: { oneWay: encodeHistogram(oneWayUs), roundTrip: encodeHistogram(roundTripUs) },
      }),
      connectMs: summarize(connectUs, 1000),
      firstEventMs: summarize(ttfeUs, 1000),
      connectUs: encodeHistogram(connectUs),
      firstEventUs: encodeHistogram(ttfeUs),
      window: diffCounters(before, after),
      countedUntilNs: countedUntilNs.toString(),
      runTotals,
      connectBytesUp: clients.reduce((sum, c) => sum + (c.connectBytes?.up ?? 0), 0),
      connectBytesDown: clients.reduce((sum, c) => sum + (c.connectBytes?.down ?? 0), 0),
      clientsConnected: clients.filter((c) => c.connectedNs !== undefined).length,
      loadCpuFraction: (cpu.user + cpu.system) / 1000 / (windowNs / 1e6),
      loadLoopDelayP99Us: loopDelay.count ? loopDelayUs(loopDelay.percentile(99)) : 0,
      // Refused attempts while a restarted server was down are the workload: reported apart (restart).
      totalErrors: totals.errors - (restart?.downErrors ?? 0),
      connect,
      ...(startLagUs !== undefined && { startLagUs }),
      ...(drops && { drops: drops.report() }),
      ...(restart && {
        restart: restart.report(clients.map((c, i) => c.connectedNs !== undefined && !unconnected.includes(i))),
      }),
    };
  } finally {
    slowReaders?.close();
    await closeClients();
  }
}
