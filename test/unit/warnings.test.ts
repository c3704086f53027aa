// Structured warnings (result schema version 2) and the version-1 adapter: every sentence version 1
// wrote maps to its code, a version-2 result round-trips, a converted fixture renders exactly like the
// original, and classification follows the code, not the wording.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseResult,
  WARNING_CODES,
  type Result,
  type RunWarning,
  type WarningCode,
} from '../../bench/result-schema.ts';
import { upgradeV1, V1_CODES, warningFromV1 } from '../../bench/result-v1.ts';
import { runWarning, warn } from '../../bench/warnings.ts';
import { bottleneckWarning, diagnose, type DiagnosisInput } from '../../bench/diagnosis.ts';
import { classify } from '../../reports/warning-kinds.ts';
import { latencyChartInputs } from '../../reports/chart-data.ts';
import { summarizeResult } from '../../reports/summary.ts';
import { renderConsole } from '../../reports/console.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { renderHtml } from '../../reports/html.ts';

const FIXTURES = ['small-result', 'quick-result', 'loss-result', 'errored-result'];
const raw = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'));

/**
 * One sentence per code exactly as version 1 wrote it (bench/metrics.ts and bench/diagnosis.ts before
 * version 2; the first four bottleneck ones from diagnose() of then), with what the adapter must read.
 */
type V1Code = (typeof V1_CODES)[number];
const V1: Array<{ text: string; code: V1Code; value: number | null; limit: number | null }> = [
  {
    text: 'lost 38 of 400 events (9.50%): not delivered within 10.0 s after the window',
    code: 'events-lost',
    value: 38,
    limit: null,
  },
  { text: '2 events delivered twice', code: 'events-duplicated', value: 2, limit: null },
  { text: '5 events out of order', code: 'events-out-of-order', value: 5, limit: null },
  {
    text: '4 events received before their scheduled time: the shared-clock assumption failed',
    code: 'events-before-schedule',
    value: 4,
    limit: null,
  },
  { text: 'only 8 of 12 clients connected', code: 'clients-unconnected', value: 8, limit: 12 },
  {
    text: '7 client errors (failed requests or dropped connections)',
    code: 'client-errors',
    value: 7,
    limit: null,
  },
  {
    text: "load generator saturated: 93% of a core; these figures are partly the client's, not the server's",
    code: 'load-saturated',
    value: 0.93,
    limit: 0.8,
  },
  {
    text: 'server saturated: event loop busy 97% of the window (CPU 95% of a core); latency here is mostly queueing in the server',
    code: 'server-saturated',
    value: 0.97,
    limit: 0.9,
  },
  { text: 'publisher ran up to 22.8 ms behind schedule', code: 'publisher-late', value: 22_800, limit: 10_000 },
  {
    text: '12 poll ticks skipped because the previous poll had not returned',
    code: 'poll-ticks-skipped',
    value: 12,
    limit: null,
  },
  {
    text: 'no event arrived in the measurement window: per-event figures are left out',
    code: 'no-events-in-window',
    value: 0,
    limit: null,
  },
  {
    text: 'bottleneck: file descriptors: 200 connects failed for lack of file descriptors (EMFILE); 800 of 1000 clients connected within the 14 s connect deadline. Raise the hard limit (as root: ulimit -Hn, or LimitNOFILE / limits.conf) or run fewer clients.',
    code: 'bottleneck-descriptors',
    value: null,
    limit: null,
  },
  {
    text: "bottleneck: connect backlog: 8 of 12 clients connected within the 1.5 s connect deadline (failed connects: 4 timeout), with neither process saturated: the listen backlog, the handshake queue or the server's descriptors (seen as resets) is the limit",
    code: 'bottleneck-connect-backlog',
    value: null,
    limit: null,
  },
  {
    text: 'bottleneck: server CPU: 800 of 1000 clients connected within the 14 s connect deadline; server event loop busy 100% (CPU 100% of a core)',
    code: 'bottleneck-server-cpu',
    value: null,
    limit: null,
  },
  {
    text: "bottleneck: load-generator CPU: 800 of 1000 clients connected within the 14 s connect deadline; load generator at 95% of a core, loop delay p99 2 ms: the figures are partly the client's",
    code: 'bottleneck-load-cpu',
    value: null,
    limit: null,
  },
  {
    text: 'bottleneck: publisher: the publisher ran up to 80 ms behind schedule with neither process saturated',
    code: 'bottleneck-publisher',
    value: null,
    limit: null,
  },
];

/**
 * What reports/warnings.ts classified each version-1 sentence as, by its regexes, before version 2.
 * Typed by the codes version 1 knew (frozen in bench/result-v1.ts): a new code needs no entry.
 */
const V1_KIND: Record<V1Code | 'unrecognised', ReturnType<typeof classify>> = {
  'events-lost': 'loss',
  'events-duplicated': 'loss',
  'events-out-of-order': 'loss',
  'events-before-schedule': 'loss',
  'clients-unconnected': 'loss',
  'client-errors': 'loss',
  'load-saturated': 'saturation',
  'server-saturated': 'saturation',
  'publisher-late': 'note',
  'poll-ticks-skipped': 'saturation',
  'no-events-in-window': 'loss',
  'bottleneck-descriptors': 'error',
  'bottleneck-connect-backlog': 'saturation',
  'bottleneck-server-cpu': 'saturation',
  'bottleneck-load-cpu': 'saturation',
  'bottleneck-publisher': 'saturation',
  unrecognised: 'note',
};

/**
 * Sentences version 1's writers produced, frozen: its metrics sentences with other figures, and its
 * diagnose() (bench/diagnosis.ts at 32e859d~1) run on the inputs named beside each. Today's writers
 * may reword theirs; these stay what version-1 files hold.
 */
const V1_WRITTEN: Array<[string, V1Code]> = [
  ['lost 3 of 30 events (10.00%): not delivered within 0.3 s after the window', 'events-lost'],
  ['1 events delivered twice', 'events-duplicated'],
  ['1 events out of order', 'events-out-of-order'],
  ['1 events received before their scheduled time: the shared-clock assumption failed', 'events-before-schedule'],
  ['only 0 of 5000 clients connected', 'clients-unconnected'],
  ['1 client errors (failed requests or dropped connections)', 'client-errors'],
  [
    "load generator saturated: 100% of a core; these figures are partly the client's, not the server's",
    'load-saturated',
  ],
  [
    'server saturated: event loop busy 91% of the window (CPU 40% of a core); latency here is mostly queueing in the server',
    'server-saturated',
  ],
  ['publisher ran up to 61.0 ms behind schedule', 'publisher-late'],
  ['publisher ran up to 10.1 ms behind schedule', 'publisher-late'],
  ['1 poll ticks skipped because the previous poll had not returned', 'poll-ticks-skipped'],
  // 200 unconnected, failures: 150 timeout, 50 refused.
  [
    "bottleneck: connect backlog: 800 of 1000 clients connected within the 14 s connect deadline (failed connects: 150 timeout, 50 refused), with neither process saturated: the listen backlog, the handshake queue or the server's descriptors (seen as resets) is the limit",
    'bottleneck-connect-backlog',
  ],
  // 200 unconnected, server loop 50% in the window but 97% while clients connected, CPU 40%.
  [
    'bottleneck: server CPU: 800 of 1000 clients connected within the 14 s connect deadline; server event loop busy 97% while clients connected (CPU 40% of a core; the server got only that share of its core: other processes were using it)',
    'bottleneck-server-cpu',
  ],
  // All connected, server loop 97% on 40% of a core, 5% of events lost.
  [
    'bottleneck: server CPU: server event loop busy 97% (CPU 40% of a core; the server got only that share of its core: other processes were using it); 5.00% of events lost',
    'bottleneck-server-cpu',
  ],
  // All connected, load generator 95%, server loop 93% on 90% of a core.
  [
    "bottleneck: load-generator CPU: load generator at 95% of a core, loop delay p99 2 ms; server event loop busy 93% (CPU 90% of a core): the figures are partly the client's",
    'bottleneck-load-cpu',
  ],
];

const calm: DiagnosisInput = {
  connect: {
    requested: 1000,
    connected: 1000,
    deadlineMs: 14_000,
    elapsedMs: 14_000,
    unconnected: 0,
    failures: { timeout: 0, descriptors: 0, refused: 0, other: 0 },
    examples: [],
  },
  serverElu: 0.3,
  serverCpuFraction: 0.3,
  loadCpuFraction: 0.2,
  loadLoopDelayP99Us: 2000,
  publisherLatenessMaxUs: 1000,
  lossFraction: 0,
};
const left = { ...calm.connect!, connected: 800, unconnected: 200 };

/** One warning of every code the writers produce today, through the writers themselves. */
const written: RunWarning[] = [
  warn.eventsLost(3, 30, 300),
  warn.eventsDuplicated(2),
  warn.eventsOutOfOrder(5),
  warn.eventsBeforeSchedule(4),
  warn.clientsUnconnected(8, 12),
  warn.clientErrors(7),
  warn.loadSaturated(0.93, 0.8),
  warn.serverSaturated(0.97, 0.95, 0.9),
  warn.publisherLate(22_800, 10_000),
  warn.publisherLate(61_000, 10_000),
  warn.pollTicksSkipped(12),
  warn.slowConsumersDropped(3),
  warn.noEventsInWindow(),
  bottleneckWarning(diagnose({ ...calm, connect: { ...left, failures: { ...left.failures, descriptors: 200 } } })!),
  bottleneckWarning(diagnose({ ...calm, connect: left })!),
  bottleneckWarning(diagnose({ ...calm, connect: left, serverElu: 1, serverCpuFraction: 1 })!),
  bottleneckWarning(diagnose({ ...calm, connect: left, loadCpuFraction: 0.95 })!),
  bottleneckWarning(diagnose({ ...calm, publisherLatenessMaxUs: 80_000 })!),
];

describe('the version-1 adapter', () => {
  test('maps every sentence version 1 could write to its code, figure and limit, keeping the sentence', () => {
    const codes = new Set<WarningCode>();
    for (const { text, code, value, limit } of V1) {
      const w = warningFromV1(text);
      assert.deepEqual(
        { code: w.code, value: w.value, limit: w.limit, message: w.message },
        { code, value, limit, message: text },
        text,
      );
      assert.equal(classify(w), V1_KIND[code], `${text}: classified as version 1 did`);
      codes.add(code);
    }
    assert.equal(codes.size, V1_CODES.length, 'one case per code version 1 knew');
    assert.equal(codes.size, Object.keys(V1_KIND).length - 1, 'one case per code (all but unrecognised)');
  });

  test('a late publisher is a saturation notice from 50 ms, as version 1 read it from the sentence', () => {
    const at = (ms: string) => warningFromV1(`publisher ran up to ${ms} ms behind schedule`);
    assert.equal(classify(at('49.9')), 'note');
    assert.equal(at('49.9').severity, 'note');
    assert.equal(classify(at('50.0')), 'saturation');
    assert.equal(at('50.0').severity, 'warning');
    assert.equal(at('50.0').value, 50_000);
  });

  test('an unknown sentence, or an unknown bottleneck, is an unrecognised note, not an error', () => {
    for (const text of [
      'the moon was in the wrong phase',
      'bottleneck: the network: too slow',
      '',
      '<script>alert(1)</script>',
    ]) {
      const w = warningFromV1(text);
      assert.deepEqual(w, { code: 'unrecognised', severity: 'note', value: null, limit: null, message: text });
      assert.equal(classify(w), 'note');
    }
  });

  test('only version-1 documents are changed, and the input is left as it was', () => {
    const v1 = raw('loss-result') as { schemaVersion: number; jobs: { runs: { warnings?: unknown[] }[] }[] };
    const before = JSON.stringify(v1);
    const up = upgradeV1(v1) as typeof v1;
    assert.equal(JSON.stringify(v1), before);
    assert.equal(up.schemaVersion, 2);
    const warnings = up.jobs.flatMap((j) => j.runs.flatMap((r) => r.warnings ?? [])) as RunWarning[];
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['load-saturated', 'events-lost', 'events-lost'],
    );
    for (const other of [null, 7, 'x', { schemaVersion: 2, jobs: [] }, { schemaVersion: 3, jobs: 'none' }])
      assert.equal(upgradeV1(other), other);
    // A damaged version-1 file is marked version 2 (a new object) so the schema names what is wrong.
    const damaged = { schemaVersion: 1, jobs: 'none' };
    assert.deepEqual(upgradeV1(damaged), { schemaVersion: 2, jobs: 'none' });
    assert.equal(damaged.schemaVersion, 1);
    // A malformed version-1 file still gets the schema's own error, not a crash in the adapter.
    assert.throws(() => parseResult({ schemaVersion: 1, jobs: [{ runs: [{ warnings: [3] }] }] }), /not a valid/);
  });

  test('a damaged version-1 file is named for its damage, not as an unsupported version', () => {
    const v1 = raw('small-result') as Record<string, unknown>;
    for (const [jobs, received] of [
      [undefined, 'undefined'],
      ['none', 'string'],
      [{}, 'object'],
    ] as const) {
      assert.throws(
        () => parseResult({ ...v1, jobs }),
        (e: Error) => {
          assert.equal(
            e.message,
            `not a valid pollbench result (schema v2): jobs: Invalid input: expected array, received ${received}`,
          );
          return true;
        },
      );
    }
  });

  test('reads back more sentences version 1 wrote (other figures, every bottleneck variant), to their codes', () => {
    for (const [text, code] of V1_WRITTEN) assert.equal(warningFromV1(text).code, code, text);
  });
});

describe('version-2 results', () => {
  test('warnings written by the metrics and the diagnosis round-trip through the schema', () => {
    const result = parseResult(raw('small-result'));
    const run = result.jobs[0]!.runs.find((r) => r.status === 'completed')!;
    if (run.status !== 'completed') throw new Error('fixture has no completed run');
    run.warnings = written;
    const text = JSON.stringify(result);
    const again = parseResult(JSON.parse(text));
    assert.equal(again.schemaVersion, 2);
    assert.deepEqual(again, result);
    assert.equal(JSON.stringify(again), text);
  });

  test('a warning code newer than this reader loads as an unrecognised note, keeping its figures', () => {
    const result = JSON.parse(JSON.stringify(parseResult(raw('small-result')))) as Result;
    const run = result.jobs[0]!.runs[0]!;
    if (run.status !== 'completed') throw new Error('fixture run not completed');
    const newer = { code: 'cosmic-rays', severity: 'error', value: 3, limit: 1, message: '3 cosmic rays hit' };
    (run.warnings as unknown[]) = [newer, warn.eventsDuplicated(2)];
    const read = parseResult(result);
    const [w, known] = (read.jobs[0]!.runs[0] as typeof run).warnings;
    assert.deepEqual(w, { code: 'unrecognised', severity: 'note', value: 3, limit: 1, message: '3 cosmic rays hit' });
    assert.deepEqual(known, warn.eventsDuplicated(2));
    assert.equal(classify(w!), 'note');
    const notices = summarizeResult(read).notices.filter((n) => n.text.includes('cosmic rays'));
    assert.deepEqual(
      notices.map((n) => n.kind),
      ['note'],
    );
    // A warning without a code is damage, not a newer version: still an error.
    (run.warnings as unknown[]) = [{ ...newer, code: 7 }];
    assert.throws(() => parseResult(result), /not a valid pollbench result/);
  });

  for (const name of FIXTURES) {
    test(`${name}: converted to version 2, written and read back, renders exactly as the version-1 file`, async () => {
      const original = parseResult(raw(name));
      const v2 = JSON.parse(JSON.stringify(original)) as Result;
      assert.equal(v2.schemaVersion, 2);
      for (const job of v2.jobs)
        for (const r of job.runs)
          if (r.status === 'completed') for (const w of r.warnings) assert.equal(typeof w, 'object');
      const reread = parseResult(v2);
      assert.equal(renderConsole(reread), renderConsole(original));
      assert.equal(renderMarkdown(reread), renderMarkdown(original));
      assert.equal(await renderHtml(reread), await renderHtml(original));
    });
  }
});

describe('classification follows the code, not the wording', () => {
  test('rewording a warning changes neither its notice group nor the chart subtitle', () => {
    for (const w of [...written, runWarning('unrecognised', 'lost 3 saturated bottleneck: file descriptors: x')]) {
      for (const message of [
        'reworded',
        'lost 3 of 30 events twice',
        'server saturated',
        'bottleneck: file descriptors: x',
      ]) {
        const reworded: RunWarning = { ...w, message };
        assert.equal(classify(reworded), classify(w), `${w.code} as "${message}"`);
      }
    }
    // The loss fixture's saturated short-poll run, its sentence replaced: still named on the chart.
    const result = parseResult(raw('loss-result'));
    const subtitles = (r: Result) =>
      latencyChartInputs(summarizeResult(r), { domain: [], range: [] }).map((c) => c.subtitle);
    const before = subtitles(result);
    assert.ok(
      before.some((s) => s.includes('WARNING: short-poll 1000ms saturated in 1 of 2 runs')),
      before.join('\n'),
    );
    const kinds = summarizeResult(result).notices.map((n) => n.kind);
    for (const job of result.jobs)
      for (const r of job.runs)
        if (r.status === 'completed') for (const w of r.warnings) w.message = `reworded ${w.code}`;
    assert.deepEqual(subtitles(result), before);
    assert.deepEqual(
      summarizeResult(result).notices.map((n) => n.kind),
      kinds,
    );
  });

  test('the latency chart names runs whose server or load generator ran out of CPU, not other limits', () => {
    // A version-1 file: the 20/s set gets every bottleneck sentence version 1 wrote. The connect
    // backlog and the publisher ones say "with neither process saturated": no saturation on the chart.
    const v1 = raw('loss-result') as {
      jobs: { params: { transport: string }; parameterSet: string; runs: { warnings?: string[] }[] }[];
    };
    const set = v1.jobs.filter((j) => j.parameterSet.startsWith('rate=20/s'));
    const job = (t: string) => set.find((j) => j.params.transport === t)!;
    const sentence = (code: WarningCode) => V1.find((c) => c.code === code)!.text;
    job('long-poll').runs[0]!.warnings = [sentence('bottleneck-connect-backlog')];
    job('long-poll').runs[1]!.warnings = [sentence('bottleneck-publisher')];
    job('sse').runs[0]!.warnings = [sentence('bottleneck-server-cpu')];
    job('ws').runs[0]!.warnings = [sentence('bottleneck-load-cpu')];
    job('ws').runs[1]!.warnings = [sentence('load-saturated'), sentence('bottleneck-load-cpu')];
    const subtitle = latencyChartInputs(summarizeResult(parseResult(v1)), { domain: [], range: [] }).find((c) =>
      c.title.includes('20 events/s'),
    )!.subtitle;
    assert.match(subtitle, /; WARNING: sse saturated in 1 of 2 runs, ws saturated in 2 of 2 runs$/);
    assert.doesNotMatch(subtitle, /long-poll/);
  });

  test('a note that reads like loss or saturation stays a note', () => {
    assert.equal(classify(runWarning('unrecognised', 'lost 3 of 30 events; load generator saturated')), 'note');
    assert.equal(classify(warn.publisherLate(11_500, 10_000)), 'note');
    assert.equal(classify(warn.publisherLate(61_000, 10_000)), 'saturation');
  });

  test("the writer's severity agrees with the reports' group for every code, at every figure", () => {
    const values = [null, 0, 1, 9_999, 49_949, 49_950, 49_960, 50_000, 61_000, 0.5, 0.95];
    for (const code of WARNING_CODES)
      for (const value of values) {
        const w = runWarning(code, 'x', value);
        const kind = classify(w);
        const expected = kind === 'error' ? 'error' : kind === 'note' ? 'note' : 'warning';
        assert.equal(w.severity, expected, `${code} at ${value}`);
      }
    for (const w of written) assert.equal(w.severity, runWarning(w.code, 'x', w.value).severity, w.code);
  });

  test('a late publisher is grouped by the lateness its sentence prints', () => {
    // 49.96 ms prints as "50.0 ms": it must not be a note while its sentence says 50 ms.
    const cases: Array<[number, string, string]> = [
      [49_940, '49.9', 'note'],
      [49_960, '50.0', 'saturation'],
      [50_000, '50.0', 'saturation'],
    ];
    for (const [us, printed, kind] of cases) {
      const w = warn.publisherLate(us, 10_000);
      assert.equal(w.message, `publisher ran up to ${printed} ms behind schedule`);
      assert.equal(classify(w), kind, w.message);
      assert.equal(classify(w), classify(warningFromV1(w.message)), `${w.message}: as a version-1 file reads it`);
      assert.equal(w.severity, kind === 'note' ? 'note' : 'warning', w.message);
    }
  });
});
