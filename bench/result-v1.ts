/**
 * Reads version-1 result files, whose runs carried warnings as English sentences, as version 2: each
 * sentence becomes a structured warning with its code and, where the sentence held them, its figure
 * and limit. The one place allowed to read meaning out of a warning's text, and only of the sentences
 * version 1 wrote; they are frozen here (with the limits that applied then) so rewording a warning in
 * bench/warnings.ts cannot change how an old file reads. A sentence it does not know becomes a note,
 * never an error: an old file always loads. The message is kept as it was, so it renders as before.
 */
import type { RunWarning, WarningCode } from './result-schema.ts';
import { runWarning } from './warnings.ts';

/**
 * The codes version 1's sentences map to, frozen with them: a code added later never comes out of a
 * version-1 file, so adding one changes nothing here (the tests type their version-1 cases by this).
 */
export const V1_CODES = [
  'events-lost',
  'events-duplicated',
  'events-out-of-order',
  'events-before-schedule',
  'clients-unconnected',
  'client-errors',
  'load-saturated',
  'server-saturated',
  'publisher-late',
  'poll-ticks-skipped',
  'no-events-in-window',
  'bottleneck-descriptors',
  'bottleneck-connect-backlog',
  'bottleneck-server-cpu',
  'bottleneck-load-cpu',
  'bottleneck-publisher',
] as const satisfies readonly WarningCode[];
type V1Code = (typeof V1_CODES)[number];

/** Version 1's thresholds: load CPU fraction, server event-loop utilisation, publisher lateness (µs). */
const V1_LOAD_LIMIT = 0.8;
const V1_SERVER_LIMIT = 0.9;
const V1_PUBLISHER_LIMIT_US = 10_000;

/** Version 1's "bottleneck: <label>: …" labels. */
const V1_BOTTLENECK_LABELS: Record<string, V1Code> = {
  'file descriptors': 'bottleneck-descriptors',
  'connect backlog': 'bottleneck-connect-backlog',
  'server CPU': 'bottleneck-server-cpu',
  'load-generator CPU': 'bottleneck-load-cpu',
  publisher: 'bottleneck-publisher',
};

const n = (s: string | undefined) => Number(s);

/** A warning read from a version-1 sentence: typed so only a code version 1 knew can come out. */
const v1Warning = (code: V1Code, text: string, value: number | null = null, limit: number | null = null) =>
  runWarning(code, text, value, limit);

/** Every sentence version 1 wrote (bench/metrics.ts and bench/diagnosis.ts of then), first match wins. */
const V1_SENTENCES: Array<[RegExp, (m: RegExpExecArray, text: string) => RunWarning]> = [
  [/^lost (\d+) of \d+ events/, (m, t) => v1Warning('events-lost', t, n(m[1]))],
  [/^(\d+) events delivered twice$/, (m, t) => v1Warning('events-duplicated', t, n(m[1]))],
  [/^(\d+) events out of order$/, (m, t) => v1Warning('events-out-of-order', t, n(m[1]))],
  [/^(\d+) events received before their scheduled time\b/, (m, t) => v1Warning('events-before-schedule', t, n(m[1]))],
  [/^only (\d+) of (\d+) clients connected$/, (m, t) => v1Warning('clients-unconnected', t, n(m[1]), n(m[2]))],
  [/^(\d+) client errors\b/, (m, t) => v1Warning('client-errors', t, n(m[1]))],
  [
    /^load generator saturated: (\d+)% of a core/,
    (m, t) => v1Warning('load-saturated', t, n(m[1]) / 100, V1_LOAD_LIMIT),
  ],
  [
    /^server saturated: event loop busy (\d+)%/,
    (m, t) => v1Warning('server-saturated', t, n(m[1]) / 100, V1_SERVER_LIMIT),
  ],
  [
    /^publisher ran up to ([0-9.]+) ms behind schedule$/,
    (m, t) => v1Warning('publisher-late', t, Math.round(n(m[1]) * 1000), V1_PUBLISHER_LIMIT_US),
  ],
  [/^(\d+) poll ticks skipped\b/, (m, t) => v1Warning('poll-ticks-skipped', t, n(m[1]))],
  [/^no event arrived in the measurement window\b/, (_m, t) => v1Warning('no-events-in-window', t, 0)],
];

/** One version-1 sentence as a structured warning; an unknown sentence is an `unrecognised` note. */
export function warningFromV1(text: string): RunWarning {
  const bottleneck = /^bottleneck: ([^:]+): /.exec(text);
  if (bottleneck) {
    const code = V1_BOTTLENECK_LABELS[bottleneck[1]!];
    return runWarning(code ?? 'unrecognised', text);
  }
  for (const [pattern, make] of V1_SENTENCES) {
    const m = pattern.exec(text);
    if (m) return make(m, text);
  }
  return runWarning('unrecognised', text);
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A version-1 document as version 2 (a new object; the input is not changed); anything else as it
 * came. Only well-formed string warnings are converted: whatever else is wrong is left for the schema
 * to name. A damaged version-1 file (jobs missing, say) is still marked version 2, so the schema's
 * error names the damage rather than "expected 2", which would read as "version 1 is unsupported".
 */
export function upgradeV1(json: unknown): unknown {
  if (!isObject(json) || json['schemaVersion'] !== 1) return json;
  if (!Array.isArray(json['jobs'])) return { ...json, schemaVersion: 2 };
  const jobs = json['jobs'].map((job) => {
    if (!isObject(job) || !Array.isArray(job['runs'])) return job;
    const runs = job['runs'].map((run) => {
      if (!isObject(run) || !Array.isArray(run['warnings'])) return run;
      const warnings = run['warnings'].map((w) => (typeof w === 'string' ? warningFromV1(w) : w));
      return { ...run, warnings };
    });
    return { ...job, runs };
  });
  return { ...json, schemaVersion: 2, jobs };
}
