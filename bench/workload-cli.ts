/**
 * The command-line options of the resilience workloads (bench/workload-params.ts): `--drops` and
 * `--restart` set the workload of every job (both given: each job runs once with each). Ranges are the
 * scenario schema's to check; a value that does not parse is one sentence here.
 */
import type { Scenario } from './scenarios/schema.ts';
import type { Workload } from './workload-params.ts';

export class WorkloadOptionError extends Error {}

/** parseArgs option specs of the workloads, merged into the CLI's. */
export const WORKLOAD_OPTIONS = {
  drops: { type: 'string' },
  restart: { type: 'string' },
} as const;

export type WorkloadOptionValues = Partial<Record<keyof typeof WORKLOAD_OPTIONS, string>>;

const DEFAULT_SHARE = 0.1;
const DEFAULT_OFFLINE_MS = 2000;
const DEFAULT_DOWN_MS = 2000;

export const WORKLOAD_USAGE = `  --drops <every>[:<share>[:<offline>]]  forced drops: every <every>, a share of the clients (default
                         ${DEFAULT_SHARE * 100}%) lose their connection (TCP reset) and stay offline <offline> (default
                         ${DEFAULT_OFFLINE_MS / 1000}s, at least 2s), then resume; e.g. 5s:10%:2s
  --restart [<down>]     kill the server mid-window, keep it down <down> (default ${DEFAULT_DOWN_MS / 1000}s), start it
                         again on the same port; every client reconnects and resumes; the window
                         must hold 2 x (<down> + 1s start-up + 2s storm): --duration 10 for 2s`;

/** `--restart` given alone (last, or before another option) means the default down time. */
export function bareRestartMeansDefault(argv: string[]): string[] {
  return argv.map((arg, i) =>
    arg === '--restart' && (i + 1 >= argv.length || argv[i + 1]!.startsWith('-'))
      ? `--restart=${DEFAULT_DOWN_MS}ms`
      : arg,
  );
}

/** "5s", "500ms", "2.5" (seconds) -> ms; NaN when it is none of those. */
function durationMs(raw: string): number {
  const m = /^([0-9]*\.?[0-9]+)(ms|s)?$/.exec(raw.trim());
  if (!m) return Number.NaN;
  return Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : 1000));
}

/** "10%" or "0.1" -> 0.1; NaN when it is neither. */
function share(raw: string): number {
  const m = /^([0-9]*\.?[0-9]+)(%)?$/.exec(raw.trim());
  if (!m) return Number.NaN;
  return Number(m[1]) / (m[2] ? 100 : 1);
}

function drops(raw: string): Workload {
  const [every = '', part, offline] = raw.split(':');
  const workload = {
    kind: 'drops' as const,
    everyMs: durationMs(every),
    share: part === undefined ? DEFAULT_SHARE : share(part),
    offlineMs: offline === undefined ? DEFAULT_OFFLINE_MS : durationMs(offline),
  };
  if (raw.split(':').length > 3 || Object.values(workload).some((v) => Number.isNaN(v)))
    throw new WorkloadOptionError(`--drops must be <every>[:<share>[:<offline>]], e.g. 5s:10%:2s, got "${raw}"`);
  return workload;
}

function restart(raw: string): Workload {
  const downMs = durationMs(raw);
  if (Number.isNaN(downMs))
    throw new WorkloadOptionError(`--restart must be a down time such as 2s or 500ms, got "${raw}"`);
  return { kind: 'restart', downMs };
}

/** Sets the scenario's workloads in place from the options, when any is given. */
export function applyWorkloadOptions(s: Scenario, values: WorkloadOptionValues): void {
  const workloads = [
    ...(values.drops !== undefined ? [drops(values.drops)] : []),
    ...(values.restart !== undefined ? [restart(values.restart)] : []),
  ];
  if (workloads.length > 0) s.matrix.workloads = workloads as [Workload, ...Workload[]];
}
