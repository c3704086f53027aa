/**
 * The command-line options of issue 12's idle cost and soak: `--idle` (the idle workload: no event in
 * the window), `--keep-alive ws-ping=30s,sse-comment=15s` (what the servers send to idle clients,
 * `none` for either), and `--soak <minutes>` (one parameter set, one run, a window that long, the
 * server's memory and handles sampled through it). Any bad value is one sentence.
 */
import type { Scenario } from './scenarios/schema.ts';
import { expandScenario } from './matrix.ts';
import type { KeepAlive } from '../servers/contract/server-limits.ts';

export class IdleOptionError extends Error {}

/** parseArgs option specs, merged into the CLI's. */
export const IDLE_OPTIONS = {
  idle: { type: 'boolean' },
  'keep-alive': { type: 'string' },
  soak: { type: 'string' },
} as const;

export interface IdleOptionValues {
  idle?: boolean;
  'keep-alive'?: string;
  soak?: string;
}

export const IDLE_USAGE = `  --idle                 idle workload: clients connect and stay, no event in the window; reports
                         bytes, requests and server CPU per idle client per minute
  --keep-alive <spec>    what servers send idle clients, e.g. ws-ping=30s,sse-comment=15s (ms or s;
                         none: nothing, the default); polling's is its interval and long-poll wait
  --soak <minutes>       one parameter set (narrow the selection to one job), one run, a window of
                         that many minutes; server RSS, heap and handles sampled every 5 s`;

/** How often a soak samples the server (the issue: "every ~5 s"). */
export const SOAK_SAMPLE_MS = 5_000;

const KEEP_ALIVE_KEYS = { 'ws-ping': 'wsPingMs', 'sse-comment': 'sseCommentMs' } as const;

/** "30s", "1500ms", "0.5s" -> ms; "none" -> null. */
function duration(key: string, raw: string): number | null {
  if (raw === 'none') return null;
  const m = /^([0-9]*\.?[0-9]+)(ms|s)$/.exec(raw);
  const ms = m ? Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1)) : Number.NaN;
  if (!(ms >= 100 && ms <= 3_600_000))
    throw new IdleOptionError(`--keep-alive: ${key}=${raw} must be a time from 100ms to 3600s (e.g. 30s) or none`);
  return ms;
}

export function parseKeepAlive(spec: string): KeepAlive {
  const keepAlive: KeepAlive = { wsPingMs: null, sseCommentMs: null };
  for (const part of spec.split(',').map((p) => p.trim())) {
    const [key, value, ...rest] = part.split('=');
    const field = KEEP_ALIVE_KEYS[key as keyof typeof KEEP_ALIVE_KEYS];
    if (!field || value === undefined || rest.length > 0)
      throw new IdleOptionError(`--keep-alive: "${part}" is not ws-ping=<time> or sse-comment=<time>`);
    keepAlive[field] = duration(key!, value);
  }
  return keepAlive;
}

/** Applies the options to the scenario (after every other option, so the soak sees the final selection). */
export function applyIdleOptions(s: Scenario, values: IdleOptionValues): Scenario {
  if (values.idle) s.matrix.workloads = [{ kind: 'idle' }];
  if (values['keep-alive'] !== undefined) s.keepAlive = parseKeepAlive(values['keep-alive']);
  if (values.soak === undefined) return s;
  const minutes = /^[0-9]*\.?[0-9]+$/.test(values.soak) ? Number(values.soak) : Number.NaN;
  // At least a sample's worth, at most the window schema's hour.
  if (!(minutes * 60_000 >= 10_000 && minutes <= 60))
    throw new IdleOptionError(
      `--soak must be a number of minutes, at least 10 s (0.17) and at most 60, got "${values.soak}"`,
    );
  const jobs = expandScenario(s).length;
  if (jobs !== 1)
    throw new IdleOptionError(
      `--soak runs one parameter set, and this selection has ${jobs} jobs: narrow it with --transports, --clients, --rate, --payload, --interval and --network`,
    );
  s.timing.measureMs = Math.round(minutes * 60_000);
  s.timing.soakSampleMs = SOAK_SAMPLE_MS;
  s.repetitions = 1;
  return s;
}
