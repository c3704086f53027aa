/**
 * Reads version-1 result files, whose runs carried warnings as English sentences, as version 2: each
 * sentence becomes a structured warning with its code and, where the sentence held them, its figure
 * and limit. The one place allowed to read meaning out of a warning's text, and only of the sentences
 * version 1 wrote; they are frozen here (with the limits that applied then) so rewording a warning in
 * bench/warnings.ts cannot change how an old file reads. A sentence it does not know becomes a note,
 * never an error: an old file always loads. The message is kept as it was, so it renders as before.
 */
import type { BottleneckResource, RunWarning } from './result-schema.ts';
import { runWarning } from './warnings.ts';

/** Version 1's thresholds: load CPU fraction, server event-loop utilisation, publisher lateness (µs). */
const V1_LOAD_LIMIT = 0.8;
const V1_SERVER_LIMIT = 0.9;
const V1_PUBLISHER_LIMIT_US = 10_000;

/** Version 1's "bottleneck: <label>: …" labels. */
const V1_BOTTLENECK_LABELS: Record<string, BottleneckResource> = {
  'file descriptors': 'descriptors',
  'connect backlog': 'connect-backlog',
  'server CPU': 'server-cpu',
  'load-generator CPU': 'load-cpu',
  publisher: 'publisher',
};

const n = (s: string | undefined) => Number(s);

/** Every sentence version 1 wrote (bench/metrics.ts and bench/diagnosis.ts of then), first match wins. */
const V1_SENTENCES: Array<[RegExp, (m: RegExpExecArray, text: string) => RunWarning]> = [
  [/^lost (\d+) of \d+ events/, (m, t) => runWarning('events-lost', t, n(m[1]))],
  [/^(\d+) events delivered twice$/, (m, t) => runWarning('events-duplicated', t, n(m[1]))],
  [/^(\d+) events out of order$/, (m, t) => runWarning('events-out-of-order', t, n(m[1]))],
  [/^(\d+) events received before their scheduled time\b/, (m, t) => runWarning('events-before-schedule', t, n(m[1]))],
  [/^only (\d+) of (\d+) clients connected$/, (m, t) => runWarning('clients-unconnected', t, n(m[1]), n(m[2]))],
  [/^(\d+) client errors\b/, (m, t) => runWarning('client-errors', t, n(m[1]))],
  [
    /^load generator saturated: (\d+)% of a core/,
    (m, t) => runWarning('load-saturated', t, n(m[1]) / 100, V1_LOAD_LIMIT),
  ],
  [
    /^server saturated: event loop busy (\d+)%/,
    (m, t) => runWarning('server-saturated', t, n(m[1]) / 100, V1_SERVER_LIMIT),
  ],
  [
    /^publisher ran up to ([0-9.]+) ms behind schedule$/,
    (m, t) => runWarning('publisher-late', t, Math.round(n(m[1]) * 1000), V1_PUBLISHER_LIMIT_US),
  ],
  [/^(\d+) poll ticks skipped\b/, (m, t) => runWarning('poll-ticks-skipped', t, n(m[1]))],
  [/^no event arrived in the measurement window\b/, (_m, t) => runWarning('no-events-in-window', t, 0)],
];

/** One version-1 sentence as a structured warning; an unknown sentence is an `unrecognised` note. */
export function warningFromV1(text: string): RunWarning {
  const bottleneck = /^bottleneck: ([^:]+): /.exec(text);
  if (bottleneck) {
    const resource = V1_BOTTLENECK_LABELS[bottleneck[1]!];
    return resource ? runWarning(`bottleneck-${resource}`, text) : runWarning('unrecognised', text);
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
