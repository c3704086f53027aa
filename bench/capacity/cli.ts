/**
 * The capacity search's command-line options: `--capacity` turns it on (so does `--scenario capacity`),
 * the rest state the service level and bound the search. Each has a default; a bad value is one
 * sentence (CapacityOptionError, exit 2 from the CLI).
 */
import type { CapacityRequest } from './driver.ts';

export class CapacityOptionError extends Error {}

export const CAPACITY_OPTIONS = {
  capacity: { type: 'boolean' },
  'slo-p99': { type: 'string' },
  'capacity-start': { type: 'string' },
  'capacity-max': { type: 'string' },
  'capacity-factor': { type: 'string' },
  'capacity-resolution': { type: 'string' },
  'capacity-steps': { type: 'string' },
} as const;

type Values = { capacity?: boolean } & Partial<Record<Exclude<keyof typeof CAPACITY_OPTIONS, 'capacity'>, string>>;

const DEFAULTS = { p99Ms: 1000, max: 100_000, factor: 2, resolutionPct: 10, maxSteps: 10 };

export const CAPACITY_USAGE = `  --capacity             search each transport's capacity: step the audience up (x factor) until the
                         service level breaks, then narrow it down; names the resource that gave out
  --slo-p99 <duration>   the level's p99 latency limit, e.g. 1s or 500ms (default 1s); any lost event,
                         client error or unconnected client also breaks it
  --capacity-start <n>   first audience (default: the scenario's smallest)
  --capacity-max <n>     cap on clients (default ${DEFAULTS.max}; lowered to what the descriptors allow)
  --capacity-factor <x>  ratio between audiences while they pass (default ${DEFAULTS.factor})
  --capacity-resolution <percent>  narrow until the first fail is within this of the last pass (default ${DEFAULTS.resolutionPct})
  --capacity-steps <n>   most steps (runs of one audience) per transport (default ${DEFAULTS.maxSteps})`;

function duration(raw: string): number {
  const m = /^([0-9]*\.?[0-9]+)(ms|s)?$/.exec(raw.trim());
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : 1000) : Number.NaN;
  if (!(ms > 0) || ms > 600_000)
    throw new CapacityOptionError(`--slo-p99 must be a duration from 1ms to 600s, like 1s or 500ms, got "${raw}"`);
  return ms;
}

function bounded(name: string, raw: string, min: number, max: number, whole: boolean): number {
  const n = (whole ? /^[0-9]+$/ : /^[0-9]*\.?[0-9]+$/).test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new CapacityOptionError(
      `--${name} must be a ${whole ? 'whole number' : 'number'} from ${min} to ${max}, got "${raw}"`,
    );
  return n;
}

/** The search asked for, or undefined; `scenarioName` capacity asks for it too. */
export function parseCapacityOptions(values: Values, scenarioName: string): CapacityRequest | undefined {
  const on = values.capacity === true || scenarioName === 'capacity';
  if (!on) {
    const stray = Object.keys(CAPACITY_OPTIONS).find(
      (k) => k !== 'capacity' && values[k as keyof Values] !== undefined,
    );
    if (stray) throw new CapacityOptionError(`--${stray} sets the capacity search: add --capacity`);
    return undefined;
  }
  const start =
    values['capacity-start'] === undefined
      ? undefined
      : bounded('capacity-start', values['capacity-start'], 1, 1_000_000, true);
  const max =
    values['capacity-max'] === undefined
      ? DEFAULTS.max
      : bounded('capacity-max', values['capacity-max'], 1, 1_000_000, true);
  if (start !== undefined && start > max)
    throw new CapacityOptionError(`--capacity-start (${start}) must not be above --capacity-max (${max})`);
  return {
    p99Ms: values['slo-p99'] === undefined ? DEFAULTS.p99Ms : duration(values['slo-p99']),
    start,
    max,
    factor:
      values['capacity-factor'] === undefined
        ? DEFAULTS.factor
        : bounded('capacity-factor', values['capacity-factor'], 1.1, 10, false),
    resolution:
      (values['capacity-resolution'] === undefined
        ? DEFAULTS.resolutionPct
        : bounded('capacity-resolution', values['capacity-resolution'], 0, 100, false)) / 100,
    maxSteps:
      values['capacity-steps'] === undefined
        ? DEFAULTS.maxSteps
        : bounded('capacity-steps', values['capacity-steps'], 1, 100, true),
  };
}
