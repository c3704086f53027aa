/**
 * Where a run's wall time goes, measured on the orchestrator's hrtime clock: one phase at a time,
 * each entered when the orchestrator sees it begin (a message from a child, or its own request).
 * `start` is measured separately (spawn to both children ready) because it may begin while the
 * previous run is still being torn down; that overlap is reported next to the phases, never hidden.
 */
import { nowNs } from '../servers/contract/clock.ts';

export const RUN_PHASES = [
  'start',
  'prewarm',
  'connect',
  'warmup',
  'window',
  'drain',
  'snapshots',
  'teardown',
] as const;
export type RunPhase = (typeof RUN_PHASES)[number];
export type PhasesMs = Record<RunPhase, number>;

const msBetween = (from: bigint, to: bigint) => Number(to - from) / 1e6;

export class PhaseTimer {
  private readonly totals = Object.fromEntries(RUN_PHASES.map((p) => [p, 0])) as PhasesMs;
  private current: { phase: RunPhase; sinceNs: bigint } | null = null;

  constructor(private readonly now: () => bigint = nowNs) {}

  /** Ends the current phase (if any) and enters `phase`. */
  enter(phase: RunPhase, atNs: bigint = this.now()): void {
    this.stop(atNs);
    this.current = { phase, sinceNs: atNs };
  }

  /** Enters `phase` only if the timer is in `from` (progress messages may arrive after a later phase began). */
  advance(from: RunPhase, to: RunPhase, atNs: bigint = this.now()): void {
    if (this.current?.phase === from) this.enter(to, atNs);
  }

  /** Adds a span measured elsewhere (the start of a run's processes). */
  addSpan(phase: RunPhase, fromNs: bigint, toNs: bigint): void {
    this.totals[phase] += Math.max(0, msBetween(fromNs, toNs));
  }

  /** Ends the current phase. */
  stop(atNs: bigint = this.now()): void {
    if (this.current) this.totals[this.current.phase] += Math.max(0, msBetween(this.current.sinceNs, atNs));
    this.current = null;
  }

  get phase(): RunPhase | null {
    return this.current?.phase ?? null;
  }

  phasesMs(): PhasesMs {
    return { ...this.totals };
  }
}

/**
 * How much of a run's start happened before the run's own timeline began (`runBeganNs`): while the
 * previous run was torn down and its result written. That time is counted there too, so the overlap
 * is subtracted once when the phases of a plan are summed.
 */
export function startOverlapMs(spawnedNs: bigint, readyNs: bigint, runBeganNs: bigint): number {
  const end = readyNs < runBeganNs ? readyNs : runBeganNs;
  return Math.max(0, msBetween(spawnedNs, end));
}
