/**
 * Runs a scenario: calibration first, then every job's repetitions interleaved, each run in a fresh
 * server process and a fresh load-generator process (pinned to different cores when possible). The
 * result file is rewritten after every run, so whatever happens next, finished runs are on disk.
 */
import os from 'node:os';
import { ManagedChild, detectPinning, stopAllChildren, type Pinning } from './child.ts';
import { buildChildBundle, removeChildBundle, useChildBundle } from './child-bundle.ts';
import { PhaseTimer, startOverlapMs } from './phase-timer.ts';
import { PublisherProcess } from './publisher/client.ts';
import { brokerWindow, startPlanBroker, type BrokerRun, type PlanBroker } from './broker/plan-broker.ts';
import { collectContext } from './context.ts';
import { nowNs } from '../servers/contract/clock.ts';
import { expandScenario, interleave, type PlannedJob } from './matrix.ts';
import { auditOf, deriveMetrics, eluBetween } from './metrics.ts';
import { alreadyWarned, bottleneckWarning, diagnoseRun } from './diagnosis.ts';
import { ResultStore } from './result-store.ts';
import {
  RESULT_SCHEMA_VERSION,
  type Calibration,
  type CompletedRun,
  type Context,
  type Job,
  type Result,
  type Run,
} from './result-schema.ts';
import type { LoadPhase, LoadTiming } from './load/ipc.ts';
import { LoadGroup } from './load-group.ts';
import { loadCores, resolveLoadProcesses } from './load-processes.ts';
import { runSourceAddresses } from './source-addresses.ts';
import { DRAIN_CAP_MS } from './load/run-job.ts';
import { dropsDrainExtraMs } from './load/drops.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  acrossRestart,
  restartPastWindow,
  restartServer,
  RunRestart,
  stormFigures,
  untilStormEndMs,
  type Restarted,
  type StormFigures,
} from './restart.ts';
import { steadyStateWarmupMs } from './load/window.ts';
import type { FromServer, ServerStats, ToServer } from '../servers/contract/server-ipc.ts';
import type { Inject, ServerConfig, UpstreamConfig } from '../servers/contract/server-config.ts';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../servers/contract/server-limits.ts';
import type { Scenario } from './scenarios/schema.ts';
import { TRANSPORT_TRAITS } from '../servers/contract/transport-traits.ts';
import { startPath, serverTerminatesTls, type RunningPath } from './path-runner.ts';
import { serverHttpVersion } from './server-http-version.ts';
import { serverGroupRecord, staleSnapshotsWarning } from './server-group-record.ts';
import { delayToleranceMs, emulatorCpus, pathWarnings, runPathFigures } from './path-figures.ts';
import { preparePaths, type PreparedPaths } from './path-tools.ts';
import type { RunningProxy } from './proxy/nginx.ts';
import type { TlsMaterial } from './tls/certificate.ts';
import { addedRoundTripMs, networkLabel, pathAllowancesMs } from './network-path.ts';
import { addsNothing } from './network/profiles.ts';
import { connectDeadlineMs } from './load/connect.ts';
import { sampleSoak } from './soak.ts';
import { idleWarmupMs } from './idle-window.ts';
import type { AgentPool } from './agent/pool.ts';
import { agentFigures } from './agent/run-figures.ts';
import { pinningForJob, serverCoresOf } from './job-pinning.ts';
import { openFilesOf } from './proxy/proc-cpu.ts';
import { LOAD_NODE_FLAGS } from './load/node-flags.ts';
import { RemoteLoad } from './agent/remote-load.ts';
import { startLagWarnings } from './start-lag.ts';

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
  /** Browser origins every feed server serves besides its own (--allow-origin); recorded in the context. */
  allowOrigins?: string[];
  /** Server limits set on the command line; the rest stay at DEFAULT_SERVER_LIMITS. Recorded in the context. */
  limits?: Partial<ServerLimits>;
  /** What the plan's network paths need (bench/path-tools.ts preparePaths); prepared here when absent. */
  paths?: PreparedPaths;
  /** More jobs decided from the runs so far (absent: the scenario's jobs are the whole plan). */
  extension?: PlanExtension;
  /** Load agents (bench/agent/pool.ts): each run's load runs on one instead of a local process. */
  agents?: AgentPool;
  /** Where feed servers listen and clients connect (default 127.0.0.1): an address the agents reach. */
  listenHost?: string;
  /** Load processes per job (--load-processes); absent: chosen from each job's clients and the cores (load-processes.ts). */
  loadProcesses?: number;
}

/**
 * An adaptive plan (the capacity search, bench/capacity/driver.ts): asked for more jobs each time the
 * planned runs are done (none: the plan ends), told when each run starts and ends, and given the
 * result to annotate before every save, so an interrupted plan's file is as complete as the rest.
 */
export interface PlanExtension {
  more(result: Result): PlannedJob[];
  runStarted(jobId: string, repetition: number): void;
  runEnded(jobId: string, repetition: number): void;
  annotate(result: Result): void;
}

export interface PlanOutcome {
  result: Result;
  file: string;
}

type ServerChild = ManagedChild<ToServer, FromServer>;

/** The plan's path material, and where the first proxy's version and configuration are reported. */
interface PlanPaths extends PreparedPaths {
  onProxy(proxy: RunningProxy): void;
}

const SERVER_SCRIPT = '../servers/main.ts';
const START_TIMEOUT_MS = 30_000;
const STATS_TIMEOUT_MS = 10_000;

class RunAborted extends Error {}

interface Pair {
  server: ServerChild;
  load: LoadGroup;
  /** The run's feed on the publisher (null for calibration's echo pairs); `broker`: its Redis stream and probe. */
  feed: { port: number; startNs: string; broker?: BrokerRun } | null;
  spawnedNs: bigint;
  /** What the server was started with (a restarted server gets the same: bench/restart.ts). */
  serverConfig: ServerConfig;
  /** When both children had said 'ready' (null until then). */
  readyNs(): bigint | null;
}

function startPair(
  serverConfig: ServerConfig,
  pinning: Pinning,
  feed: Pair['feed'] = null,
  loadProcesses = 1,
  agents?: AgentPool,
): Pair {
  const spawnedNs = nowNs();
  // Both start at once: the load process's startup overlaps the server's.
  // --expose-gc: memory snapshots collect garbage first, so memory per client is retained memory.
  const server: ServerChild = new ManagedChild(
    'server',
    SERVER_SCRIPT,
    [JSON.stringify(serverConfig)],
    pinning.serverCpus,
    ['--expose-gc'],
  );
  // With load agents every agent runs a slice of each run's clients (the group's members); else local processes.
  const load = agents
    ? new LoadGroup(agents.agents.map((_, i) => agents.load(i)))
    : LoadGroup.local(loadProcesses, pinning.loadCpus, LOAD_NODE_FLAGS);
  let serverReadyNs: bigint | null = null;
  let loadReadyNs: bigint | null = null;
  server.onMessage((m) => void (m.type === 'ready' && serverReadyNs === null && (serverReadyNs = nowNs())));
  load.onMessage((m) => void (m.type === 'ready' && loadReadyNs === null && (loadReadyNs = nowNs())));
  const readyNs = () =>
    serverReadyNs === null || loadReadyNs === null ? null : serverReadyNs > loadReadyNs ? serverReadyNs : loadReadyNs;
  return { server, load, feed, spawnedNs, serverConfig, readyNs };
}

function feedServerConfig(
  params: PlannedJob['params'],
  scenario: Scenario,
  upstream: UpstreamConfig,
  inject: Inject | undefined,
  tls: TlsMaterial | null,
  limits: ServerLimits,
): ServerConfig {
  if (serverTerminatesTls(params) && !tls) throw new Error('a TLS job needs the plan certificate (preparePaths)');
  return {
    role: 'feed',
    transport: params.transport,
    framework: params.framework,
    perMessageDeflate: params.perMessageDeflate,
    http: serverHttpVersion(params),
    responseHeaders: params.responseHeaders,
    encoding: params.encoding,
    compression: params.compression,
    // The feed is published from outside the server (bench/publisher), so its clock keeping is not server CPU.
    feed: { upstream, ringCapacity: scenario.ringCapacity },
    host: '127.0.0.1',
    limits,
    keepAlive: params.keepAlive,
    ...(inject ? { inject } : {}),
    ...(serverTerminatesTls(params) ? { tls: tls! } : {}),
    // Several processes on one address (servers/cluster-primary.ts); one process's config stays as it was.
    ...(params.serverProcesses > 1 ? { processes: params.serverProcesses } : {}),
  };
}

/**
 * Runs overlap: the next run's feed is opened and its processes are started (`onMeasured`) as soon as
 * this run's last snapshot is taken, while this run's clients close and its processes stop (opening
 * the next feed ends this run's, which nothing reads any more). The next run still waits for this
 * teardown before it sends any traffic: runOnce returns only after it.
 */
interface Overlap {
  /** Rejects when the run's feed could not be opened. */
  pair: Promise<Pair>;
  onMeasured(): void;
}

async function serverStats(
  server: ServerChild,
  id: number,
  options: { resetWindow: boolean; gc: boolean },
  signal: AbortSignal,
  timer?: PhaseTimer,
): Promise<ServerStats> {
  const resume = timer?.phase;
  timer?.enter('snapshots');
  server.send({ type: 'stats', id, ...options });
  const { stats } = await server.waitFor('stats', STATS_TIMEOUT_MS, signal);
  if (resume) timer?.enter(resume);
  return stats;
}

const IDLE_MS = 100;

const EMULATOR_NOTE =
  "user-space relay, one process per run on the load generator's CPU (the clients' side of the path, away from the server it measures); per connection and direction: serialization at the link rate, then one-way delay plus jitter, departures never reordered; a lost segment is delayed by a retransmission timeout and holds back what follows (bench/network/path-model.ts)";

async function calibrate(
  pinning: Pinning,
  roundTrips: number,
  networkJobs: readonly PlannedJob[],
  tls: TlsMaterial | null,
  signal: AbortSignal,
): Promise<Calibration> {
  const idleRoundTrips = Math.max(5, Math.min(30, Math.round(roundTrips / 100)));
  const echo = (kind: 'tcp' | 'ws') => startPair({ role: 'echo', kind, host: '127.0.0.1' }, pinning);
  // As with runs: the next measurement's processes start while this one's stop (after it measured).
  const one = async (pair: Pair, kind: 'tcp' | 'ws', count: number, idleMs: number, next: (() => Pair) | null) => {
    const { server, load } = pair;
    try {
      const { port } = await server.waitFor('ready', START_TIMEOUT_MS, signal);
      load.send({ type: 'calibrate', kind, port, warmup: Math.min(1000, roundTrips), count, idleMs });
      const { roundTripUs } = await load.waitFor('calibration', 120_000, signal);
      return { roundTripUs, next: next?.() ?? null };
    } finally {
      await Promise.all([load.stop(), server.stop()]);
    }
  };
  const tcp = await one(echo('tcp'), 'tcp', roundTrips, 0, () => echo('ws'));
  const ws = await one(tcp.next!, 'ws', roundTrips, 0, () => echo('ws'));
  const wsIdle = await one(ws.next!, 'ws', idleRoundTrips, IDLE_MS, null);
  const networks = [];
  for (const job of networkJobs) {
    const pair = echo('tcp');
    const started = await Promise.all([
      pair.server.waitFor('ready', START_TIMEOUT_MS, signal),
      pair.load.waitFor('ready', START_TIMEOUT_MS, signal),
    ]).catch(async (err: unknown) => {
      await Promise.all([pair.load.stop(), pair.server.stop()]);
      throw err;
    });
    const path = await startPath({
      params: { ...job.params, tls: false, proxy: 'none' },
      serverPort: started[0].port,
      tls: null,
      proxyCpus: null,
      emulatorCpus: emulatorCpus(pinning),
      signal,
    });
    try {
      // Sequential round trips, each one whole path round trip: a few are enough for the median.
      pair.load.send({
        type: 'calibrate',
        kind: 'tcp',
        port: path.clientPort,
        warmup: 2,
        count: NETWORK_ROUND_TRIPS,
        idleMs: 0,
      });
      const { roundTripUs } = await pair.load.waitFor('calibration', 120_000, signal);
      const configured = job.params.network.rttMs;
      const offByMs = (roundTripUs.p50 - tcp.roundTripUs.p50) / 1000 - configured;
      networks.push({
        network: networkLabel(job.params.network),
        configuredRttMs: configured,
        roundTripUs,
        offByMs,
        accurate: Math.abs(offByMs) <= delayToleranceMs(configured),
      });
    } finally {
      await Promise.all([path.stop(), pair.load.stop(), pair.server.stop()]);
    }
  }
  let handshakes: Calibration['tls'];
  if (tls) {
    // Fresh and resumed handshakes against a TLS echo on loopback: what a reconnect costs with and without the session.
    const pair = startPair({ role: 'echo', kind: 'tcp', host: '127.0.0.1', tls }, pinning);
    try {
      const { port } = await pair.server.waitFor('ready', START_TIMEOUT_MS, signal);
      pair.load.send({ type: 'calibrate-tls', port, ca: tls.cert, count: TLS_HANDSHAKES });
      ({ handshakes } = await pair.load.waitFor('tls-calibration', 120_000, signal));
    } finally {
      await Promise.all([pair.load.stop(), pair.server.stop()]);
    }
  }
  return {
    tcpRoundTripUs: tcp.roundTripUs,
    wsRoundTripUs: ws.roundTripUs,
    roundTrips,
    wsIdleRoundTripUs: wsIdle.roundTripUs,
    idleMs: IDLE_MS,
    idleRoundTrips,
    ...(networks.length ? { networks } : {}),
    ...(handshakes ? { tls: handshakes } : {}),
  };
}

/**
 * Between the feed's end and the clients' close: time for the events already on their way to arrive,
 * so a client never closes with an event in flight. Without it a client's whole-run bytes missed what
 * reached its socket after its last read (one SSE event per client, 4% of a short TLS run, against a
 * packet capture).
 */
const QUIET_BEFORE_CLOSE_MS = 50;

/** Full and resumed TLS handshakes measured at calibration (each). */
const TLS_HANDSHAKES = 200;

/** Idle round trips measured through each emulated network at calibration. */
const NETWORK_ROUND_TRIPS = 10;

/** One job per distinct emulated network of the plan, for calibrating through it. */
function oneJobPerNetwork(jobs: readonly PlannedJob[]): PlannedJob[] {
  const seen = new Map<string, PlannedJob>();
  for (const job of jobs)
    if (!addsNothing(job.params.network)) {
      const label = networkLabel(job.params.network);
      if (!seen.has(label)) seen.set(label, job);
    }
  return [...seen.values()];
}

async function runOnce(
  job: PlannedJob,
  repetition: number,
  scenario: Scenario,
  publisher: PublisherProcess,
  pinning: Pinning,
  overlap: Overlap,
  paths: PlanPaths,
  signal: AbortSignal,
  onPhase: (phase: LoadPhase, done: number, total: number) => void,
): Promise<Run> {
  const startedAt = new Date().toISOString();
  const t0 = nowNs();
  const { params } = job;
  let phase = 'start feed';
  const pair = await overlap.pair.catch((err: Error) => err);
  if (pair instanceof Error) {
    if (signal.aborted) throw new RunAborted(`interrupted during ${phase}`);
    return { status: 'errored', repetition, startedAt, phase, error: pair.message };
  }
  phase = 'start server';
  const { load } = pair;
  // Workload `restart`: replaced mid-window by its successor on the same port (bench/restart.ts).
  let server = pair.server;
  // One stats request at a time: answers are matched by type, and the restart's storm snapshot can
  // fall on the window's end.
  let statsChain: Promise<unknown> = Promise.resolve();
  const snapshot = (id: number, options: { resetWindow: boolean; gc: boolean }, timed = true) => {
    const next = statsChain.then(() => serverStats(server, id, options, signal, timed ? timer : undefined));
    statsChain = next.catch(() => {});
    return next;
  };
  const feed = pair.feed!;
  const timer = new PhaseTimer();
  let overlapMs = 0;
  let completed: CompletedRun | undefined;
  let path: RunningPath | undefined;
  // Workload `restart`: ended (cancelled and waited out) before the teardown stops `server`.
  const runRestart = new RunRestart(signal);
  const stopProgress = load.onMessage((m) => {
    if (m.type !== 'progress') return;
    if (m.phase === 'warmup') timer.advance('connect', 'warmup');
    onPhase(m.phase, m.done, m.total);
  });
  try {
    const ready = await server.waitFor('ready', START_TIMEOUT_MS, signal);
    await load.waitFor('ready', START_TIMEOUT_MS, signal);
    // Read while both run (the load process exits on its own once it has reported).
    // A load agent's process is on another host: its limit is not this host's to read.
    const local = load.members[0] instanceof ManagedChild ? load.members[0] : undefined;
    const openFiles = { server: openFilesOf(server.pid), load: openFilesOf(local?.pid) };
    const readyNs = pair.readyNs() ?? nowNs();
    phase = 'start path';
    path = await startPath({
      params,
      serverPort: ready.port,
      tls: paths.tls,
      nginx: paths.nginx,
      proxyCpus: pinning.serverCpus,
      emulatorCpus: emulatorCpus(pinning),
      signal,
    });
    if (path.proxy) paths.onProxy(path.proxy);
    timer.addSpan('start', pair.spawnedNs, path.clientPort === ready.port ? readyNs : nowNs());
    overlapMs = startOverlapMs(pair.spawnedNs, readyNs, t0);
    const allowance = pathAllowancesMs(params, params.clients);
    const timing: LoadTiming = {
      ...scenario.timing,
      warmupMs:
        Math.max(
          steadyStateWarmupMs(scenario.timing.warmupMs, params.pollIntervalMs, params.upstream?.intervalMs ?? null),
          idleWarmupMs(params),
        ) + allowance.warmupMs,
      alignToPollIntervalsMs: scenario.transports.some((t) => TRANSPORT_TRAITS[t].pollIntervalAxis)
        ? scenario.matrix.pollIntervalMs
        : [],
      ...(allowance.connectMs > 0
        ? { connectDeadlineMs: connectDeadlineMs(params.clients) + allowance.connectMs }
        : {}),
      drainCapExtraMs: allowance.drainMs,
      quietBeforeCloseMs: QUIET_BEFORE_CLOSE_MS + 2 * addedRoundTripMs(params),
    };
    const drainCapMs =
      timing.drainMs +
      DRAIN_CAP_MS +
      allowance.drainMs +
      (params.pollIntervalMs ?? 0) +
      dropsDrainExtraMs(params.workload);
    phase = 'prewarm';
    timer.enter('prewarm');
    const localAddresses = runSourceAddresses(
      params,
      load.members.some((m) => m instanceof RemoteLoad),
    );
    load.send({
      ...(localAddresses.length > 0 && { localAddresses }),
      type: 'run',
      port: path.clientPort,
      serverPort: ready.port,
      feedStartNs: feed.startNs,
      params,
      timing,
      ...(params.tls ? { tls: { ca: paths.tls!.cert } } : {}),
      serverTls: serverTerminatesTls(params),
      ...(pair.serverConfig.host !== '127.0.0.1' ? { host: pair.serverConfig.host } : {}),
    });
    await load.waitFor('checkpoint', 120_000, signal);
    const idle = await snapshot(1, { resetWindow: false, gc: true });
    timer.enter('connect');
    load.send({ type: 'go', checkpoint: 'idle' });

    phase = 'connect and warm up';
    // The load process's own connect deadline (run-job.ts takes the default when the timing sets none):
    // at 18,000 clients a 90 s connect phase left this wait 30 s for the closes and the warm-up.
    const connectMs = timing.connectDeadlineMs ?? connectDeadlineMs(params.clients);
    await load.waitFor('checkpoint', 120_000 + connectMs + timing.warmupMs, signal);
    // Publisher lateness and the path's own figures count over the window, read at the same edges as the server.
    const [start, , , proxyAtStart, brokerAtStart] = await Promise.all([
      snapshot(2, { resetWindow: true, gc: false }),
      publisher.lateness(true, signal),
      path.emulatorStats(true, signal),
      path.proxy ? { cpuUs: path.proxy.cpuUs(), atNs: nowNs() } : null,
      feed.broker?.sample(),
    ]);
    timer.enter('window');
    load.send({ type: 'go', checkpoint: 'window' });
    let sample = 100;
    const soakSampleMs = scenario.timing.soakSampleMs;
    const soak = soakSampleMs
      ? sampleSoak(
          () => serverStats(server, sample++, { resetWindow: false, gc: true }, signal),
          soakSampleMs,
          BigInt(start.process.atNs),
        )
      : undefined;

    phase = 'measure';
    const w = params.workload;
    const downMs = w.kind === 'restart' ? w.downMs : 0;
    let restarted: Restarted | undefined;
    let storm: Promise<StormFigures> | undefined;
    const restart =
      w.kind === 'restart'
        ? runRestart.track(
            load.waitFor('restart-server', 2 * timing.measureMs + 60_000, runRestart.signal).then(async () => {
              phase = 'restart server';
              restarted = await restartServer({
                server,
                config: pair.serverConfig,
                port: ready.port,
                downMs,
                cpus: pinning.serverCpus,
                startTimeoutMs: START_TIMEOUT_MS,
                snapshot: (s) =>
                  s === server
                    ? snapshot(6, { resetWindow: false, gc: false }, false)
                    : serverStats(s, 7, { resetWindow: false, gc: false }, runRestart.signal),
                signal: runRestart.signal,
              });
              server = restarted.server;
              load.send({
                type: 'server-restarted',
                killedNs: restarted.killedNs.toString(),
                listeningNs: restarted.listeningNs.toString(),
              });
              phase = 'measure';
              const { atReady, listeningNs } = restarted;
              storm = sleep(untilStormEndMs(listeningNs), undefined, { signal: runRestart.signal }).then(async () =>
                stormFigures(atReady, await snapshot(8, { resetWindow: false, gc: false }, false)),
              );
              storm.catch(() => {});
            }),
          )
        : undefined;
    await Promise.all([load.waitFor('window-end', 2 * timing.measureMs + 60_000 + downMs, signal), restart]);
    const soakSeries = await soak?.stop();
    timer.enter('drain');
    const [end, publisherLateness, emulator, proxyAtEnd, brokerAtEnd] = await Promise.all([
      snapshot(3, { resetWindow: false, gc: false }),
      publisher.lateness(false, signal),
      path.emulatorStats(false, signal),
      path.proxy ? { cpuUs: path.proxy.cpuUs(), atNs: nowNs() } : null,
      feed.broker?.sample(),
    ]);

    phase = 'drain and report';
    // Memory per client: after the drain (a GC pause must not delay late window events), with the
    // clients still connected, after a full GC, in its own snapshot so the GC's CPU is not in the window.
    await load.waitFor('checkpoint', drainCapMs + 30_000, signal);
    const retained = await snapshot(4, { resetWindow: false, gc: true });
    // Nothing of this run is measured any more: the next run's processes may start.
    timer.enter('teardown');
    overlap.onMeasured();
    load.send({ type: 'go', checkpoint: 'drained' });
    const { report } = await load.waitFor('result', drainCapMs + 60_000, signal);
    // Every client has closed: the server's whole-run socket totals, for the audit record.
    const final = await snapshot(5, { resetWindow: false, gc: false });
    const stormFigs = await storm;
    const proxyWindow =
      proxyAtStart && proxyAtEnd
        ? {
            cpuMs: (proxyAtEnd.cpuUs - proxyAtStart.cpuUs) / 1000,
            wallMs: Number(proxyAtEnd.atNs - proxyAtStart.atNs) / 1e6,
          }
        : undefined;
    // Across a restart the server's window spans two processes: the old one's counters at the kill
    // are added to the new one's, its CPU from its ready (bench/restart.ts acrossRestart).
    const across = (s: ServerStats) => (restarted ? acrossRestart(restarted.oldAtKill, restarted.atReady, s) : s);
    const { metrics, totals, warnings } = deriveMetrics(params, report, {
      idle,
      start,
      end: across(end),
      retained: across(retained),
      publisher: publisherLateness,
      ...(proxyWindow ? { proxy: proxyWindow } : {}),
      ...(stormFigs ? { storm: stormFigs } : {}),
      ...(soakSeries ? { soak: soakSeries } : {}),
      ...(brokerAtStart && brokerAtEnd ? { broker: brokerWindow(brokerAtStart, brokerAtEnd) } : {}),
    });
    const pathFigures = runPathFigures(
      path,
      emulator,
      proxyWindow
        ? {
            cpuUs: proxyWindow.cpuMs * 1000,
            wallMs: proxyWindow.wallMs,
            // The clients' connections (through the proxy), not the prewarm's, which go straight to the server.
            serverTcpAccepted: retained.counters.tcpAccepted - idle.counters.tcpAccepted,
          }
        : null,
    );
    warnings.push(...pathWarnings(params, pathFigures, metrics));
    const serverGroup = end.cluster ? serverGroupRecord(start, end, retained, restarted?.atReady) : undefined;
    warnings.push(...staleSnapshotsWarning(serverGroup));
    warnings.push(...startLagWarnings(params.shape, report.processes ?? []));
    const restartLate = restarted && restartPastWindow(restarted.listeningNs, BigInt(report.endNs));
    if (restartLate) warnings.push(restartLate);
    const bottleneck = diagnoseRun(report, metrics, eluBetween(idle, start), {
      processes: params.serverProcesses,
      cores: serverCoresOf(pinning.serverCpus, os.availableParallelism()),
    });
    if (
      bottleneck &&
      !alreadyWarned(bottleneck, {
        unconnected: report.connect?.unconnected ?? 0,
        windowServerElu: metrics['server_event_loop_utilization']?.value ?? 0,
      })
    )
      warnings.push(bottleneckWarning(bottleneck));
    completed = {
      status: 'completed',
      repetition,
      startedAt,
      wallMs: Number(nowNs() - t0) / 1e6,
      window: {
        warmupMs: timing.warmupMs,
        measureMs: Number(BigInt(report.endNs) - BigInt(report.startNs)) / 1e6,
        drainMs: report.drainedMs,
        firstSeq: report.firstSeq,
        lastSeq: report.lastSeq,
      },
      metrics,
      latency: report.latency,
      ...agentFigures(load.members.map((member, k) => ({ load: member, report: load.memberReports[k]! }))),
      connectMs: report.connectMs,
      firstEventMs: report.firstEventMs,
      totals,
      pinning: { server: pinning.serverCpus, load: pinning.loadCpus },
      load: {
        processes: report.processes ?? [],
        ...(localAddresses.length > 0 && { sourceAddresses: localAddresses }),
      },
      openFiles,
      warnings,
      audit: auditOf(ready.port, path.clientPort, report, across(final)),
      ...(pathFigures ? { path: pathFigures } : {}),
      ...(report.connect
        ? {
            connect: {
              requested: report.connect.requested,
              connected: report.connect.connected,
              deadlineMs: report.connect.deadlineMs,
              elapsedMs: report.connect.elapsedMs,
              failures: report.connect.failures,
            },
          }
        : {}),
      ...(bottleneck ? { bottleneck } : {}),
      ...(soakSeries ? { soak: soakSeries } : {}),
      ...(serverGroup ? { serverGroup } : {}),
    };
    return completed;
  } catch (err) {
    if (signal.aborted) throw new RunAborted(`interrupted during ${phase}`);
    return { status: 'errored', repetition, startedAt, phase, error: (err as Error).message };
  } finally {
    stopProgress();
    if (timer.phase !== 'teardown') timer.enter('teardown');
    // A restart still under way (the run failed during it) ends first: `server` is then the one running.
    await runRestart.end();
    await Promise.all([load.stop(), server.stop(), path?.stop()]);
    timer.stop();
    // The same object is what runOnce returns: its phases include the teardown just awaited.
    if (completed) Object.assign(completed, { phasesMs: timer.phasesMs(), startOverlapMs: overlapMs });
  }
}

/** Runs the whole plan. Never throws for a failing run: the run is recorded as errored and the plan goes on. */
export async function runPlan(options: PlanOptions): Promise<PlanOutcome> {
  const { scenario, signal } = options;
  // Before anything is written: a plan whose paths need TLS or nginx gets them here when its caller did
  // not prepare them (bench:ci, bench:false-alarms), or fails with PathUnavailableError.
  const prepared: PreparedPaths = options.paths ?? (await preparePaths(scenario));
  const jobs = expandScenario(scenario);
  const order = interleave(jobs, scenario.repetitions);
  const pinning = detectPinning();
  // Every feed server of the plan runs with these, all of them recorded (the defaults too: they may change).
  const serverLimits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const context: Context = {
    ...collectContext(scenario, options.profile, pinning, options.command),
    ...(options.inject ? { inject: options.inject } : {}),
    ...(options.allowOrigins ? { allowOrigins: options.allowOrigins } : {}),
    serverLimits,
  };
  const store = new ResultStore(
    options.outDir,
    options.profile === 'quick' ? `${scenario.name}-quick` : scenario.name,
    new Date(context.startedAt),
  );
  const resultJobs: Job[] = jobs.map((j) => ({ id: j.id, parameterSet: j.parameterSet, params: j.params, runs: [] }));
  const byId = new Map(resultJobs.map((j) => [j.id, j]));
  const result: Result = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    context,
    calibration: null,
    status: 'running',
    jobs: resultJobs,
  };
  const planStartNs = nowNs();
  const planTiming = { wallMs: 0, bundleMs: 0, calibrationMs: 0, saveMs: 0 };
  const save = () => {
    const t = nowNs();
    options.extension?.annotate(result);
    store.save(result);
    planTiming.saveMs += Number(nowNs() - t) / 1e6;
  };
  save();

  const planStart = Date.now();
  const runDurations: number[] = [];
  const report = (run: number, label: string, phase: Progress['phase'], done: number, total: number) => {
    const mean = runDurations.length ? runDurations.reduce((a, b) => a + b, 0) / runDurations.length : null;
    options.onProgress?.({
      run,
      runs: order.length,
      label,
      phase,
      done,
      total,
      elapsedMs: Date.now() - planStart,
      etaMs: mean === null ? null : mean * (order.length - run + 1),
    });
  };

  const planPaths: PlanPaths = {
    ...prepared,
    onProxy(proxy) {
      context.proxy ??= { name: 'nginx', version: proxy.version, config: proxy.config };
    },
  };
  if (prepared.tlsInfo) context.tls = prepared.tlsInfo;
  if (jobs.some((j) => !addsNothing(j.params.network)))
    context.network = { emulatorCpus: emulatorCpus(pinning), note: EMULATOR_NOTE };

  let interrupted: boolean;
  // One publisher for the whole plan, on the load generator's core, up before calibration measures.
  const publisher = new PublisherProcess(pinning.loadCpus);
  // One redis-server for the plan's --broker redis jobs, beside the publisher (bench/broker/plan-broker.ts).
  let broker: PlanBroker | null = null;
  const bundle = await buildChildBundle();
  useChildBundle(bundle);
  planTiming.bundleMs = bundle?.ms ?? 0;
  try {
    await publisher.start(signal);
    broker = await startPlanBroker(jobs, pinning.loadCpus);
    if (broker) context.broker = broker.context;
    report(0, 'calibration: raw TCP and WebSocket round trips', 'calibrate', 0, 1);
    const calibrationStartNs = nowNs();
    result.calibration = await calibrate(
      pinning,
      options.calibrationRoundTrips ?? 5000,
      oneJobPerNetwork(jobs),
      prepared.tls,
      signal,
    );
    planTiming.calibrationMs = Number(nowNs() - calibrationStartNs) / 1e6;
    save();

    const pairFor = async (params: PlannedJob['params']): Promise<Pair> => {
      const run = params.broker === 'redis' ? broker!.nextRun() : undefined;
      const feed = await publisher.openFeed(
        {
          shape: params.shape,
          payloadBytes: params.payloadBytes,
          payloadContent: params.payloadContent,
          encoding: params.encoding,
          ringCapacity: scenario.ringCapacity,
          ...(params.workload.kind === 'idle' && { idle: true }),
          ...(run && { broker: run.stream }),
        },
        signal,
      );
      const upstream: UpstreamConfig = run ? { redis: run.stream } : { host: '127.0.0.1', port: feed.port };
      const config = feedServerConfig(params, scenario, upstream, options.inject, prepared.tls, serverLimits);
      const allowOrigins = options.allowOrigins ? { allowOrigins: options.allowOrigins } : {};
      const host = options.listenHost ? { host: options.listenHost } : {};
      const jobPinning = pinningForJob(pinning, params.serverProcesses, os.availableParallelism());
      const loadProcesses = resolveLoadProcesses(options.loadProcesses, params.clients, loadCores(jobPinning));
      return startPair(
        { ...config, ...allowOrigins, ...host },
        jobPinning,
        { ...feed, ...(run && { broker: run }) },
        loadProcesses,
        options.agents,
      );
    };
    let next: Promise<Pair> | undefined;
    for (const [i, { job, repetition }] of order.entries()) {
      if (signal.aborted) break;
      const target = byId.get(job.id)!;
      const label = `${job.id} (run ${repetition}/${scenario.repetitions})`;
      const runStart = Date.now();
      report(i + 1, label, 'start', 0, 1);
      const pair = next ?? pairFor(job.params);
      next = undefined;
      const following = order[i + 1];
      const overlap: Overlap = {
        pair,
        onMeasured: () => {
          // The last run ends its feed here too, so nothing is published while its clients close.
          if (!following || signal.aborted) return publisher.endFeed();
          next = pairFor(following.job.params);
          // Awaited by the next run, which records a failure as its own; not an unhandled rejection meanwhile.
          next.catch(() => {});
        },
      };
      options.extension?.runStarted(job.id, repetition);
      try {
        target.runs.push(
          await runOnce(
            job,
            repetition,
            scenario,
            publisher,
            pinningForJob(pinning, job.params.serverProcesses, os.availableParallelism()),
            overlap,
            planPaths,
            signal,
            (phase, done, total) => report(i + 1, label, phase, done, total),
          ),
        );
      } catch (err) {
        if (!(err instanceof RunAborted)) throw err;
        target.runs.push({ status: 'aborted', repetition, reason: err.message });
      }
      // No next run opened a feed of its own (the last run, or one that failed before its end).
      if (!next) publisher.endFeed();
      options.extension?.runEnded(job.id, repetition);
      runDurations.push(Date.now() - runStart);
      // The planned runs are done: an adaptive plan may add jobs (the loop sees what is appended).
      if (i === order.length - 1 && options.extension && !signal.aborted) {
        const added = options.extension.more(result).filter((j) => !byId.has(j.id));
        for (const j of added) {
          const entry: Job = { id: j.id, parameterSet: j.parameterSet, params: j.params, runs: [] };
          resultJobs.push(entry);
          byId.set(j.id, entry);
        }
        order.push(...interleave(added, scenario.repetitions));
      }
      save();
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    interrupted = signal.aborted;
    await publisher.stop();
    await broker?.stop();
    await stopAllChildren();
    useChildBundle(null);
    removeChildBundle(bundle);
    // Every planned run appears in the file: what never started is marked, not silently missing.
    for (const { job, repetition } of order) {
      const target = byId.get(job.id)!;
      if (!target.runs.some((r) => r.repetition === repetition)) {
        target.runs.push({
          status: 'aborted',
          repetition,
          reason: interrupted ? 'not started: the run was interrupted' : 'not started: the plan stopped early',
        });
      }
    }
    for (const target of resultJobs) target.runs.sort((a, b) => a.repetition - b.repetition);
    result.status = interrupted ? 'interrupted' : 'complete';
    result.context.finishedAt = new Date().toISOString();
    planTiming.wallMs = Number(nowNs() - planStartNs) / 1e6;
    result.planTiming = planTiming;
    options.extension?.annotate(result);
    store.save(result);
  }
  return { result, file: store.file };
}
