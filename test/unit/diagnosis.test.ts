import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeResult } from '../../reports/summary.ts';
import { readFileSync } from 'node:fs';
import { alreadyWarned, bottleneckWarning, diagnose, type DiagnosisInput } from '../../bench/diagnosis.ts';
import {
  classifyConnectError,
  connectDeadlineMs,
  CONNECT_MAX_MS,
  type ConnectOutcome,
} from '../../bench/load/connect.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { parseResult, type Result, type RunWarning } from '../../bench/result-schema.ts';

const connect = (connected: number, failures: Partial<ConnectOutcome['failures']> = {}): ConnectOutcome => ({
  requested: 1000,
  connected,
  deadlineMs: 14_000,
  elapsedMs: 14_000,
  unconnected: 1000 - connected,
  failures: { timeout: 0, descriptors: 0, refused: 0, other: 0, ...failures },
  examples: [],
});

const calm: DiagnosisInput = {
  connect: connect(1000),
  serverElu: 0.3,
  serverCpuFraction: 0.3,
  loadCpuFraction: 0.2,
  loadLoopDelayP99Us: 2000,
  publisherLatenessMaxUs: 1000,
  lossFraction: 0,
};

describe('diagnose', () => {
  test('a run below every limit has no bottleneck', () => {
    assert.equal(diagnose(calm), null);
  });

  test('EMFILE wins over everything: descriptors', () => {
    const b = diagnose({ ...calm, connect: connect(800, { descriptors: 200 }), serverElu: 1, loadCpuFraction: 1 });
    assert.equal(b?.resource, 'descriptors');
    assert.match(b!.detail, /200 connects failed .*EMFILE.*800 of 1000 clients connected within the 14 s/);
  });

  test('clients left out with neither process saturated: the connect backlog, with the failures by cause', () => {
    const b = diagnose({ ...calm, connect: connect(800, { timeout: 150, refused: 50 }) });
    assert.equal(b?.resource, 'connect-backlog');
    assert.match(b!.detail, /800 of 1000 clients connected.*150 timeout, 50 refused/);
  });

  test('clients left out by a saturated server: server CPU, and the connect shortfall is in the detail', () => {
    const b = diagnose({ ...calm, connect: connect(800), serverElu: 0.99, serverCpuFraction: 1 });
    assert.equal(b?.resource, 'server-cpu');
    assert.match(b!.detail, /^800 of 1000 clients connected.*server event loop busy 99%/);
    assert.doesNotMatch(b!.detail, /other processes/);
    const shared = diagnose({ ...calm, serverElu: 1, serverCpuFraction: 0.29 });
    assert.match(
      shared!.detail,
      /CPU 29% of a core; the server got only that share of its core: other processes were using it/,
    );
  });

  test("a server group's summed CPU is worded against the cores its processes had", () => {
    // 2 processes on 2 cores, 180% of a core between them: near their 200%, no shared core.
    const two = diagnose({ ...calm, serverElu: 0.95, serverCpuFraction: 1.8, serverGroup: { processes: 2, cores: 2 } });
    assert.match(two!.detail, /\(CPU 180% of a core over 2 processes on 2 cores \(at most 200%\)\)/);
    // 2 busy processes that got 100% of a core between them on 2 cores waited for cores others had...
    const starved = diagnose({
      ...calm,
      serverElu: 0.95,
      serverCpuFraction: 1,
      serverGroup: { processes: 2, cores: 2 },
    });
    assert.match(starved!.detail, /at most 200%\); the server got only that share of its cores/);
    // ...while on the 1 core they were pinned to, 100% is all there was.
    const one = diagnose({ ...calm, serverElu: 0.95, serverCpuFraction: 1, serverGroup: { processes: 2, cores: 1 } });
    assert.match(one!.detail, /\(CPU 100% of a core over 2 processes on 1 core \(at most 100%\)\)$/);
  });

  test('both saturated: the busier side is named, the other mentioned', () => {
    const server = diagnose({ ...calm, serverElu: 1, loadCpuFraction: 0.95 });
    assert.equal(server?.resource, 'server-cpu');
    assert.match(server!.detail, /load generator at 95%/);
    const load = diagnose({ ...calm, serverElu: 0.92, loadCpuFraction: 0.99 });
    assert.equal(load?.resource, 'load-cpu');
  });

  test('a saturated load generator is named with its loss; a late load loop alone (bursts of arrivals) is not', () => {
    const b = diagnose({ ...calm, loadCpuFraction: 0.9, loadLoopDelayP99Us: 250_000, lossFraction: 0.21 });
    assert.equal(b?.resource, 'load-cpu');
    assert.match(b!.detail, /load generator at 90% of a core, loop delay p99 250 ms.*21.00% of events lost/);
    assert.equal(diagnose({ ...calm, loadCpuFraction: 0.22, loadLoopDelayP99Us: 123_000 }), null);
  });

  test('a late publisher with both processes idle: publisher', () => {
    assert.equal(diagnose({ ...calm, publisherLatenessMaxUs: 80_000 })?.resource, 'publisher');
    assert.equal(diagnose({ ...calm, connect: undefined }), null, 'results without a connect record still diagnose');
  });
});

describe('diagnose: the connect phase and what is warned once', () => {
  test('clients left out by a server saturated only while they connected: server CPU, said so', () => {
    // The window's ELU is low (the storm was over), the connect phase's was not.
    const b = diagnose({
      ...calm,
      connect: connect(800),
      serverElu: 0.2,
      connectServerElu: 0.97,
      serverCpuFraction: 0.95,
    });
    assert.equal(b?.resource, 'server-cpu');
    assert.match(b!.detail, /server event loop busy 97% while clients connected/);
    // With everyone connected, a busy connect phase is no limit of the window.
    assert.equal(diagnose({ ...calm, connectServerElu: 0.97 }), null);
  });

  test('deadlines under 10 s keep their tenths: 1,500 ms is 1.5 s', () => {
    const b = diagnose({ ...calm, connect: { ...connect(8), requested: 12, unconnected: 4, deadlineMs: 1500 } });
    assert.match(b!.detail, /8 of 12 clients connected within the 1\.5 s connect deadline/);
  });

  test('saturation in the window and a late publisher are warned by the metrics already; descriptors and the connect backlog only here', () => {
    const everyoneIn = { unconnected: 0, windowServerElu: 0.97 };
    assert.deepEqual(
      (['server-cpu', 'load-cpu', 'publisher', 'descriptors', 'connect-backlog'] as const).map((resource) =>
        alreadyWarned({ resource, detail: '' }, everyoneIn),
      ),
      [true, true, true, false, false],
    );
  });

  test('clients left out: the bottleneck is always warned, it says why; a server busy only while clients connected too', () => {
    const b = diagnose({
      ...calm,
      connect: connect(800),
      serverElu: 0.2,
      connectServerElu: 0.97,
      serverCpuFraction: 0.95,
    })!;
    assert.equal(alreadyWarned(b, { unconnected: 200, windowServerElu: 0.2 }), false);
    // Everyone connected, the window calm but the server flagged busy by another path: not warned by the metrics, so warned here.
    assert.equal(
      alreadyWarned({ resource: 'server-cpu', detail: '' }, { unconnected: 0, windowServerElu: 0.5 }),
      false,
    );
  });
});

describe('connect phase arithmetic and error causes', () => {
  test('the deadline grows with the client count and is capped below the orchestrator wait', () => {
    assert.equal(connectDeadlineMs(1000), 23_000);
    assert.equal(connectDeadlineMs(5000), 55_000);
    assert.equal(connectDeadlineMs(100_000), CONNECT_MAX_MS);
    assert.ok(CONNECT_MAX_MS < 120_000);
  });

  test('errors are sorted by cause', () => {
    const e = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
    assert.equal(classifyConnectError(e('connect EMFILE 127.0.0.1:1234', 'EMFILE')), 'descriptors');
    assert.equal(classifyConnectError(e('Opening handshake has timed out')), 'timeout');
    assert.equal(classifyConnectError(e('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT')), 'timeout');
    assert.equal(classifyConnectError(e('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')), 'refused');
    assert.equal(classifyConnectError(e('Unexpected server response: 500')), 'other');
  });
});

describe('the bottleneck warning in the reports', () => {
  const withWarning = (warning: RunWarning): Result => {
    const result = parseResult(
      JSON.parse(readFileSync(new URL('../fixtures/small-result.json', import.meta.url), 'utf8')),
    );
    const run = result.jobs[0]!.runs.find((r) => r.status === 'completed')!;
    if (run.status !== 'completed') throw new Error('fixture has no completed run');
    run.warnings.push(warning);
    return parseResult(JSON.parse(JSON.stringify(result)));
  };

  test('a named bottleneck is a saturation notice, even when its text mentions clients connected', () => {
    const warning = bottleneckWarning(
      diagnose({ ...calm, connect: connect(800), serverElu: 1, serverCpuFraction: 1 })!,
    );
    assert.equal(warning.code, 'bottleneck-server-cpu');
    assert.equal(warning.severity, 'warning');
    assert.match(warning.message, /^bottleneck: server CPU: 800 of 1000 clients connected/);
    const notices = summarizeResult(withWarning(warning)).notices;
    assert.deepEqual(
      notices.map((n) => n.kind),
      ['saturation'],
    );
    assert.ok(renderMarkdown(withWarning(warning)).includes('bottleneck: server CPU'));
  });

  test('a descriptor bottleneck is an error-level notice', () => {
    const warning = bottleneckWarning(diagnose({ ...calm, connect: connect(800, { descriptors: 200 }) })!);
    assert.equal(warning.code, 'bottleneck-descriptors');
    assert.equal(warning.severity, 'error');
    assert.match(warning.message, /^bottleneck: file descriptors: 200 connects failed/);
    assert.deepEqual(
      summarizeResult(withWarning(warning)).notices.map((n) => n.kind),
      ['error'],
    );
  });
});
