/**
 * Names what limited a run, from figures the run already collected: the connect outcome (failures by
 * cause, clients left out), the server's event-loop utilisation and CPU, the load generator's CPU and
 * loop delay, publisher lateness and loss. Pure: figures in, a verdict out. A run with no sign of a
 * limit (everyone connected, nothing lost, nothing saturated) gets none.
 */
import type { ConnectOutcome } from './load/connect.ts';
import { busiestProcess, type LoadProcessFigures } from './load/merge-reports.ts';
import { LOAD_SATURATION_FRACTION, SERVER_SATURATION_ELU } from './metrics.ts';
import type { BottleneckResource, RunWarning } from './result-schema.ts';
import { warn } from './warnings.ts';
import { DISTURBING_LATENESS_MS } from '../reports/warning-kinds.ts';

export interface Bottleneck {
  resource: BottleneckResource;
  detail: string;
}

export interface DiagnosisInput {
  connect: ConnectOutcome | undefined;
  serverElu: number;
  /**
   * The server's event-loop utilisation from before the first connect to the window (connect and
   * warm-up): clients left out at the deadline are judged against this, not only the window, which
   * runs after they were closed (an accept storm can saturate the server and be over by then).
   */
  connectServerElu?: number;
  serverCpuFraction: number;
  /**
   * Several server processes: how many, and the cores they were pinned to (every core when unpinned).
   * serverCpuFraction is then their sum, used on at most min(processes, cores) cores. Absent: one process.
   */
  serverGroup?: { processes: number; cores: number };
  loadCpuFraction: number;
  loadLoopDelayP99Us: number;
  /** The busiest of several load processes, by name ("load process 2 of 3"); absent: the one load generator. */
  loadName?: string;
  publisherLatenessMaxUs: number;
  lossFraction: number;
}

/** Publisher lateness (µs) that counts as a limit when nothing else is saturated: the one that disturbs the figures. */
const PUBLISHER_LATE_LIMIT_US = DISTURBING_LATENESS_MS * 1000;

/** A saturated loop that got less CPU than this was held back by its core, not by its own work. */
export const SHARED_CORE_CPU_FRACTION = 0.7;

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
/** Seconds for a message: one decimal under 10 s (a 1,500 ms deadline is "1.5 s", not "2 s"). */
const seconds = (ms: number) => (ms < 10_000 ? (ms / 1000).toFixed(1).replace(/\.0$/, '') : (ms / 1000).toFixed(0));

export const RESOURCE_LABELS: Record<BottleneckResource, string> = {
  descriptors: 'file descriptors',
  'connect-backlog': 'connect backlog',
  'server-cpu': 'server CPU',
  'load-cpu': 'load-generator CPU',
  publisher: 'publisher',
};

export function diagnose(input: DiagnosisInput): Bottleneck | null {
  const c = input.connect;
  const unconnected = c ? c.unconnected : 0;
  // With clients left out, the server counts as busy if it was during the connect phase too.
  const serverElu = unconnected > 0 ? Math.max(input.serverElu, input.connectServerElu ?? 0) : input.serverElu;
  const serverBusy = serverElu > SERVER_SATURATION_ELU;
  // CPU, not loop delay: 5,000 long-poll answers arriving together delay the loop 120 ms at 22% of a
  // core (measured); that is a burst the latency includes, not a saturated client.
  const loadBusy = input.loadCpuFraction > LOAD_SATURATION_FRACTION;
  // A group's CPU is summed over its processes, which share the cores the server was pinned to.
  const group = input.serverGroup && input.serverGroup.processes > 1 ? input.serverGroup : null;
  const usableCores = group ? Math.min(group.processes, group.cores) : 1;
  // A loop busy all the time on a fraction of a core was waiting for its core: other processes had it.
  const sharedCore =
    serverElu > SERVER_SATURATION_ELU && input.serverCpuFraction < SHARED_CORE_CPU_FRACTION * usableCores
      ? `; the server got only that share of its ${group ? 'cores' : 'core'}: other processes were using ${group ? 'them' : 'it'}`
      : '';
  const groupText = group
    ? ` over ${group.processes} processes on ${group.cores} core${group.cores === 1 ? '' : 's'} (at most ${pct(usableCores)})`
    : '';
  const serverText = `server event loop busy ${pct(serverElu)}${serverElu !== input.serverElu ? ' while clients connected' : ''} (CPU ${pct(input.serverCpuFraction)} of a core${groupText}${sharedCore})`;
  const loadText = `${input.loadName ?? 'load generator'} at ${pct(input.loadCpuFraction)} of a core, loop delay p99 ${(input.loadLoopDelayP99Us / 1000).toFixed(0)} ms`;
  const connectText = c
    ? `${c.connected} of ${c.requested} clients connected within the ${seconds(c.deadlineMs)} s connect deadline`
    : '';

  // Only the load generator's EMFILE is visible: a server out of descriptors is seen as resets
  // ("refused"), because libuv closes what it cannot accept without telling node (tried here under
  // prlimit 200:200: 64 clients reset, no error on the server). The CLI's preflight keeps runs clear of it.
  if (c && c.failures.descriptors > 0) {
    return {
      resource: 'descriptors',
      detail: `${c.failures.descriptors} connects failed for lack of file descriptors (EMFILE); ${connectText}. Raise the hard limit (as root: ulimit -Hn, or LimitNOFILE / limits.conf) or run fewer clients.`,
    };
  }
  // The busier side first: a saturated server starves accepts and pushes, a saturated client its reads.
  const cpuVerdict = (): Bottleneck | null => {
    if (serverBusy && (!loadBusy || serverElu >= input.loadCpuFraction))
      return { resource: 'server-cpu', detail: `${serverText}${loadBusy ? `; ${loadText}` : ''}` };
    if (loadBusy)
      return {
        resource: 'load-cpu',
        detail: `${loadText}${serverBusy ? `; ${serverText}` : ''}: the figures are partly the client's`,
      };
    return null;
  };
  if (unconnected > 0) {
    const cpu = cpuVerdict();
    if (cpu) return { resource: cpu.resource, detail: `${connectText}; ${cpu.detail}` };
    const causes = c
      ? Object.entries(c.failures)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${n} ${k}`)
      : [];
    return {
      resource: 'connect-backlog',
      detail: `${connectText}${causes.length ? ` (failed connects: ${causes.join(', ')})` : ' (connects neither failed nor finished)'}, with neither process saturated: the listen backlog, the handshake queue or the server's descriptors (seen as resets) is the limit`,
    };
  }
  const cpu = cpuVerdict();
  if (cpu)
    return {
      resource: cpu.resource,
      detail:
        input.lossFraction > 0 ? `${cpu.detail}; ${(input.lossFraction * 100).toFixed(2)}% of events lost` : cpu.detail,
    };
  if (input.publisherLatenessMaxUs > PUBLISHER_LATE_LIMIT_US) {
    return {
      resource: 'publisher',
      detail: `the publisher ran up to ${(input.publisherLatenessMaxUs / 1000).toFixed(0)} ms behind schedule with neither process saturated`,
    };
  }
  return null;
}

/**
 * Whether the run's warnings already name this limit in their own words: bench/metrics.ts warns of a
 * server or load generator saturated *in the window* and of a late publisher, at the same or lower
 * thresholds. Then the bottleneck is recorded in the run but not warned a second time. When clients
 * were left out at the connect deadline it is always warned: it says why, and a server saturated
 * only while clients connected shows in no window figure.
 */
export function alreadyWarned(b: Bottleneck, run: { unconnected: number; windowServerElu: number }): boolean {
  if (run.unconnected > 0) return false;
  if (b.resource === 'server-cpu') return run.windowServerElu > SERVER_SATURATION_ELU;
  return b.resource === 'load-cpu' || b.resource === 'publisher';
}

/** The run's warning for a bottleneck: its resource is in the code (`bottleneck-<resource>`), for reports to classify. */
export function bottleneckWarning(b: Bottleneck): RunWarning {
  return warn.bottleneck(b.resource, `bottleneck: ${RESOURCE_LABELS[b.resource]}: ${b.detail}`);
}

/** diagnose() over a run's load report and derived metrics (what the orchestrator calls). */
export function diagnoseRun(
  load: {
    connect?: ConnectOutcome;
    loadCpuFraction: number;
    loadLoopDelayP99Us: number;
    processes?: LoadProcessFigures[];
  },
  metrics: Record<string, { value: number }>,
  connectServerElu?: number,
  serverGroup?: DiagnosisInput['serverGroup'],
): Bottleneck | null {
  const m = (name: string) => metrics[name]?.value ?? 0;
  return diagnose({
    connect: load.connect,
    serverElu: m('server_event_loop_utilization'),
    ...(connectServerElu === undefined ? {} : { connectServerElu }),
    serverCpuFraction: m('server_cpu_fraction'),
    ...(serverGroup && { serverGroup }),
    loadCpuFraction: load.loadCpuFraction,
    loadLoopDelayP99Us: load.loadLoopDelayP99Us,
    ...(busiestProcess(load.processes) && { loadName: busiestProcess(load.processes)!.name }),
    publisherLatenessMaxUs: m('publisher_lateness_max_us'),
    lossFraction: m('loss_fraction'),
  });
}
