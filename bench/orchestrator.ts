/**
 * Runs a scenario: calibration first, then every job's repetitions interleaved, each run in a fresh
 * server process and a fresh load-generator process (pinned to different cores when possible). The
 * result file is rewritten after every run, so whatever happens next, finished runs are on disk.
 */
import { ManagedChild, detectPinning, stopAllChildren, type Pinning } from './child.ts';
import { PublisherProcess } from './publisher/client.ts';
import { collectContext } from './context.ts';
import { nowNs } from './clock.ts';
import { expandScenario, interleave, type PlannedJob } from './matrix.ts';
import { deriveMetrics } from './metrics.ts';
import { ResultStore } from './result-store.ts';
import { RESULT_SCHEMA_VERSION, type Calibration, type Context, type Job, type Result, type Run } from './result-schema.ts';
import type { FromLoad, LoadPhase, ToLoad } from './load/ipc.ts';
import { DRAIN_CAP_MS } from './load/run-job.ts';
import { steadyStateWarmupMs } from './load/window.ts';
import type { FromServer, ToServer } from '../servers/ipc.ts';
import type { Inject, ServerConfig } from '../servers/config.ts';
import type { ServerStats } from '../servers/start.ts';
import type { Scenario } from './scenarios/schema.ts';

export interface Progress {
  /** 1-based index of the run in the plan, and the plan's size. */
  run: number;
  runs: number;
  label: string;
  phase: LoadPhase | 'calibrate' | 'start';
  done: number;
  total: number;
  elapsedMs: number;
  etaMs: number | null;
}

export interface PlanOptions {
  scenario: Scenario;
  profile: Context['profile'];
  outDir: string;
  command: string[];
  signal: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Calibration round trips (after as many warm-up ones). */
  calibrationRoundTrips?: number;
  /** A regression injected on purpose into every server (CI gate tests); recorded in the context. */
  inject?: Inject;
}

export interface PlanOutcome {
  result: Result;
  file: string;
}

type ServerChild = ManagedChild<ToServer, FromServer>;
type LoadChild = ManagedChild<ToLoad, FromLoad>;

const SERVER_SCRIPT = '../servers/main.ts';
const LOAD_SCRIPT = './load/main.ts';
const START_TIMEOUT_MS = 30_000;
const STATS_TIMEOUT_MS = 10_000;

class RunAborted extends Error {}

function startPair(serverConfig: ServerConfig, pinning: Pinning): { server: ServerChild; load: LoadChild } {
  // Both start at once: the load process's startup overlaps the server's.
  // --expose-gc: memory snapshots collect garbage first, so memory per client is retained memory.
  const server: ServerChild = new ManagedChild('server', SERVER_SCRIPT, [JSON.stringify(serverConfig)], pinning.serverCpus, ['--expose-gc']);
  const load: LoadChild = new ManagedChild('load generator', LOAD_SCRIPT, [], pinning.loadCpus);
  return { server, load };
}

async function serverStats(server: ServerChild, id: number, options: { resetWindow: boolean; gc: boolean }, signal: AbortSignal): Promise<ServerStats> {
  server.send({ type: 'stats', id, ...options });
  return (await server.waitFor('stats', STATS_TIMEOUT_MS, signal)).stats;
}

const IDLE_MS = 100;

async function calibrate(pinning: Pinning, roundTrips: number, signal: AbortSignal): Promise<Calibration> {
  const idleRoundTrips = Math.max(5, Math.min(30, Math.round(roundTrips / 100)));
  const one = async (kind: 'tcp' | 'ws', count: number, idleMs: number) => {
    const { server, load } = startPair({ role: 'echo', kind, host: '127.0.0.1' }, pinning);
    try {
      const { port } = await server.waitFor('ready', START_TIMEOUT_MS, signal);
      load.send({ type: 'calibrate', kind, port, warmup: Math.min(1000, roundTrips), count, idleMs });
      return (await load.waitFor('calibration', 120_000, signal)).roundTripUs;
    } finally {
      await Promise.all([load.stop(), server.stop()]);
    }
  };
  const tcpRoundTripUs = await one('tcp', roundTrips, 0);
  const wsRoundTripUs = await one('ws', roundTrips, 0);
  const wsIdleRoundTripUs = await one('ws', idleRoundTrips, IDLE_MS);
  return { tcpRoundTripUs, wsRoundTripUs, roundTrips, wsIdleRoundTripUs, idleMs: IDLE_MS, idleRoundTrips };
}

async function runOnce(job: PlannedJob, repetition: number, scenario: Scenario, pinning: Pinning, publisher: PublisherProcess, inject: Inject | undefined, signal: AbortSignal, onPhase: (phase: LoadPhase, done: number, total: number) => void): Promise<Run> {
  const startedAt = new Date().toISOString();
  const t0 = nowNs();
  const { params } = job;
  let phase = 'start feed';
  // The feed is published from outside the server (bench/publisher), so its clock keeping is not server CPU.
  const feed = await publisher.openFeed({ shape: params.shape, payloadBytes: params.payloadBytes, ringCapacity: scenario.ringCapacity }, signal).catch((err: Error) => err);
  if (feed instanceof Error) {
    if (signal.aborted) throw new RunAborted(`interrupted during ${phase}`);
    return { status: 'errored', repetition, startedAt, phase, error: feed.message };
  }
  phase = 'start server';
  const { server, load } = startPair(
    {
      role: 'feed',
      transport: params.transport,
      framework: params.framework,
      perMessageDeflate: params.perMessageDeflate,
      feed: { upstream: { host: '127.0.0.1', port: feed.port }, ringCapacity: scenario.ringCapacity },
      host: '127.0.0.1',
      ...(inject ? { inject } : {}),
    },
    pinning,
  );
  const stopProgress = load.onMessage((m) => m.type === 'progress' && onPhase(m.phase, m.done, m.total));
  try {
    const ready = await server.waitFor('ready', START_TIMEOUT_MS, signal);
    const timing = { ...scenario.timing, warmupMs: steadyStateWarmupMs(scenario.timing.warmupMs, params.pollIntervalMs), alignToPollIntervalsMs: scenario.transports.includes('short-poll') ? scenario.matrix.pollIntervalMs : [] };
    phase = 'prewarm';
    load.send({ type: 'run', port: ready.port, feedStartNs: feed.startNs, params, timing });
    await load.waitFor('checkpoint', 120_000, signal);
    const idle = await serverStats(server, 1, { resetWindow: false, gc: true }, signal);
    load.send({ type: 'go', checkpoint: 'idle' });

    phase = 'connect and warm up';
    await load.waitFor('checkpoint', 120_000 + timing.warmupMs, signal);
    const [start] = await Promise.all([serverStats(server, 2, { resetWindow: true, gc: false }, signal), publisher.lateness(true, signal)]);
    load.send({ type: 'go', checkpoint: 'window' });

    phase = 'measure';
    await load.waitFor('window-end', 2 * timing.measureMs + 60_000, signal);
    const [end, publisherLateness] = await Promise.all([serverStats(server, 3, { resetWindow: false, gc: false }, signal), publisher.lateness(false, signal)]);

    phase = 'drain and report';
    // Memory per client: after the drain (a GC pause must not delay late window events), with the
    // clients still connected, after a full GC, in its own snapshot so the GC's CPU is not in the window.
    await load.waitFor('checkpoint', timing.drainMs + DRAIN_CAP_MS + (params.pollIntervalMs ?? 0) + 30_000, signal);
    const retained = await serverStats(server, 4, { resetWindow: false, gc: true }, signal);
    load.send({ type: 'go', checkpoint: 'drained' });
    const { report } = await load.waitFor('result', timing.drainMs + DRAIN_CAP_MS + (params.pollIntervalMs ?? 0) + 60_000, signal);
    const { metrics, totals, warnings } = deriveMetrics(params, report, { idle, start, end, retained, publisher: publisherLateness });
    return {
      status: 'completed',
      repetition,
      startedAt,
      wallMs: Number(nowNs() - t0) / 1e6,
      window: { warmupMs: timing.warmupMs, measureMs: Number(BigInt(report.endNs) - BigInt(report.startNs)) / 1e6, drainMs: report.drainedMs, firstSeq: report.firstSeq, lastSeq: report.lastSeq },
      metrics,
      latency: report.latency,
      connectMs: report.connectMs,
      firstEventMs: report.firstEventMs,
      totals,
      pinning: { server: pinning.serverCpus, load: pinning.loadCpus },
      warnings,
    };
  } catch (err) {
    if (signal.aborted) throw new RunAborted(`interrupted during ${phase}`);
    return { status: 'errored', repetition, startedAt, phase, error: (err as Error).message };
  } finally {
    stopProgress();
    publisher.endFeed();
    await Promise.all([load.stop(), server.stop()]);
  }
}

/** Runs the whole plan. Never throws for a failing run: the run is recorded as errored and the plan goes on. */
export async function runPlan(options: PlanOptions): Promise<PlanOutcome> {
  const { scenario, signal } = options;
  const jobs = expandScenario(scenario);
  const order = interleave(jobs, scenario.repetitions);
  const pinning = detectPinning();
  const context = { ...collectContext(scenario, options.profile, pinning, options.command), ...(options.inject ? { inject: options.inject } : {}) };
  const store = new ResultStore(options.outDir, options.profile === 'quick' ? `${scenario.name}-quick` : scenario.name, new Date(context.startedAt));
  const resultJobs: Job[] = jobs.map((j) => ({ id: j.id, parameterSet: j.parameterSet, params: j.params, runs: [] }));
  const byId = new Map(resultJobs.map((j) => [j.id, j]));
  const result: Result = { schemaVersion: RESULT_SCHEMA_VERSION, context, calibration: null, status: 'running', jobs: resultJobs };
  store.save(result);

  const planStart = Date.now();
  const runDurations: number[] = [];
  const report = (run: number, label: string, phase: Progress['phase'], done: number, total: number) => {
    const mean = runDurations.length ? runDurations.reduce((a, b) => a + b, 0) / runDurations.length : null;
    options.onProgress?.({ run, runs: order.length, label, phase, done, total, elapsedMs: Date.now() - planStart, etaMs: mean === null ? null : mean * (order.length - run + 1) });
  };

  let interrupted = false;
  // One publisher for the whole plan, on the load generator's core, up before calibration measures.
  const publisher = new PublisherProcess(pinning.loadCpus);
  try {
    await publisher.start(signal);
    report(0, 'calibration: raw TCP and WebSocket round trips', 'calibrate', 0, 1);
    result.calibration = await calibrate(pinning, options.calibrationRoundTrips ?? 5000, signal);
    store.save(result);

    for (const [i, { job, repetition }] of order.entries()) {
      if (signal.aborted) break;
      const target = byId.get(job.id)!;
      const label = `${job.id} (run ${repetition}/${scenario.repetitions})`;
      const runStart = Date.now();
      report(i + 1, label, 'start', 0, 1);
      try {
        target.runs.push(await runOnce(job, repetition, scenario, pinning, publisher, options.inject, signal, (phase, done, total) => report(i + 1, label, phase, done, total)));
      } catch (err) {
        if (!(err instanceof RunAborted)) throw err;
        target.runs.push({ status: 'aborted', repetition, reason: err.message });
      }
      runDurations.push(Date.now() - runStart);
      store.save(result);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    interrupted = signal.aborted;
    await publisher.stop();
    await stopAllChildren();
    // Every planned run appears in the file: what never started is marked, not silently missing.
    for (const { job, repetition } of order) {
      const target = byId.get(job.id)!;
      if (!target.runs.some((r) => r.repetition === repetition)) {
        target.runs.push({ status: 'aborted', repetition, reason: interrupted ? 'not started: the run was interrupted' : 'not started: the plan stopped early' });
      }
    }
    for (const target of resultJobs) target.runs.sort((a, b) => a.repetition - b.repetition);
    result.status = interrupted ? 'interrupted' : 'complete';
    result.context.finishedAt = new Date().toISOString();
    store.save(result);
  }
  return { result, file: store.file };
}
