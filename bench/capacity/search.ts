/**
 * The capacity search as a pure state machine: from the steps measured so far, the next audience to
 * measure, or why the search is over. Geometric steps up from a start until the service level breaks,
 * then bisection between the largest audience that met it and the smallest that did not, to a stated
 * relative resolution. The cap on clients and on steps bounds it: every search ends after at most
 * `maxSteps` runs, whatever the measurements say.
 */

export interface SearchSettings {
  /** The first audience. */
  start: number;
  /** No step measures more clients than this (the flag's cap, lowered to what the descriptors allow). */
  max: number;
  /** Ratio between successive audiences while every step passes. */
  factor: number;
  /** Narrowing stops when first fail - largest pass <= resolution x largest pass (0.1: within 10%). */
  resolution: number;
  /** Steps (runs of distinct audiences) per search, passes and fails together. */
  maxSteps: number;
}

export interface StepVerdict {
  clients: number;
  pass: boolean;
}

/** Why a search ended: narrowed to the resolution, passed at the cap, out of steps, or failed at one client. */
export type SearchEnd = 'narrowed' | 'cap-reached' | 'step-limit' | 'failed-at-smallest';

export interface SearchState {
  /** The largest audience that met the level below the first failure (null: none did). */
  largestPass: number | null;
  /** The smallest audience that did not (null: none failed). */
  firstFail: number | null;
  /** The audience to measure next, or null when the search is over. */
  next: number | null;
  ended: SearchEnd | null;
}

export function searchState(s: SearchSettings, steps: readonly StepVerdict[]): SearchState {
  const fails = steps.filter((st) => !st.pass).map((st) => st.clients);
  const firstFail = fails.length ? Math.min(...fails) : null;
  // Passes above a failure (noise on a later, smaller step cannot produce one: steps never go above it).
  const passes = steps
    .filter((st) => st.pass && (firstFail === null || st.clients < firstFail))
    .map((st) => st.clients);
  const largestPass = passes.length ? Math.max(...passes) : null;
  const done = (ended: SearchEnd): SearchState => ({ largestPass, firstFail, next: null, ended });
  const go = (next: number): SearchState => ({ largestPass, firstFail, next, ended: null });

  if (firstFail === null) {
    if (largestPass !== null && largestPass >= s.max) return done('cap-reached');
    if (steps.length >= s.maxSteps) return done('step-limit');
    if (largestPass === null) return go(Math.min(s.start, s.max));
    // Strictly up, even where factor x audience rounds to the same number.
    return go(Math.min(s.max, Math.max(largestPass + 1, Math.round(largestPass * s.factor))));
  }
  const lo = largestPass ?? 0;
  if (firstFail <= 1) return done('failed-at-smallest');
  if (firstFail - lo <= Math.max(1, s.resolution * lo)) return done('narrowed');
  if (steps.length >= s.maxSteps) return done('step-limit');
  return go(Math.floor((lo + firstFail) / 2));
}
