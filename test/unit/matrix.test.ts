import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  expandScenario,
  interleave,
  quickProfile,
  validateScenario,
  ScenarioError,
  jobId,
} from '../../bench/matrix.ts';
import { defaultScenario as registeredDefault } from '../../bench/scenarios/default.ts';
import { TRANSPORT_NAMES } from '../../servers/contract/transport-traits.ts';
import { scenarios } from '../../bench/scenarios/index.ts';
import type { Scenario } from '../../bench/scenarios/schema.ts';

const clone = (s: Scenario): Scenario => structuredClone(s);

/**
 * The default scenario with the four transports the hand-worked counts below assume. The real default
 * runs every registered transport (tested below), so a new transport joins it without changing them.
 */
const defaultScenario: Scenario = { ...registeredDefault, transports: ['short-poll', 'long-poll', 'sse', 'ws'] };

test('the default scenario runs every registered transport, in the registry order', () => {
  assert.deepEqual(registeredDefault.transports, TRANSPORT_NAMES);
});

describe('expandScenario', () => {
  test('default: 4 cells (1/s x 500 on loopback with minimal and browser headers, 20/s x 50 on loopback and 4g) x (2 short-poll intervals + long-poll + sse + ws) = 20 jobs', () => {
    const jobs = expandScenario(defaultScenario);
    assert.equal(jobs.length, 20);
    assert.equal(new Set(jobs.map((j) => j.id)).size, 20, 'ids are unique');
    assert.deepEqual(
      [...new Set(jobs.map((j) => j.parameterSet))],
      [
        'rate=1/s clients=500 payload=256B',
        'rate=1/s clients=500 payload=256B headers=browser(cookie=285B)',
        'rate=20/s clients=50 payload=256B',
        'rate=20/s clients=50 payload=256B network=4g',
      ],
    );
    for (const set of new Set(jobs.map((j) => j.parameterSet))) {
      const transports = jobs.filter((j) => j.parameterSet === set).map((j) => j.params.transport);
      assert.deepEqual(transports, ['short-poll', 'short-poll', 'long-poll', 'sse', 'ws']);
    }
  });

  test('the poll interval only multiplies short polling; wait only applies to long polling', () => {
    for (const job of expandScenario(defaultScenario)) {
      assert.equal(job.params.pollIntervalMs === null, job.params.transport !== 'short-poll');
      assert.equal(job.params.longPollWaitMs === null, job.params.transport !== 'long-poll');
    }
  });

  test('WebSocket always runs ws on node:http and records that; HTTP transports carry the chosen framework', () => {
    const s = clone(defaultScenario);
    s.framework = 'node';
    for (const job of expandScenario(s)) assert.equal(job.params.framework, 'node');
    for (const job of expandScenario(defaultScenario))
      assert.equal(job.params.framework, job.params.transport === 'ws' ? 'node' : 'express');
  });

  test('ids are stable: the same scenario gives the same ids, and ids spell out the parameters', () => {
    const a = expandScenario(defaultScenario).map((j) => j.id);
    const b = expandScenario(clone(defaultScenario)).map((j) => j.id);
    assert.deepEqual(a, b);
    assert.ok(a.includes('short-poll rate=1/s clients=500 payload=256B interval=1000ms express'), a.join('\n'));
    assert.ok(a.includes('ws rate=20/s clients=50 payload=256B ws network=4g'), a.join('\n'));
    const [job] = expandScenario(defaultScenario);
    assert.equal(jobId(job!.params), job!.id);
  });

  test('matrix.exclude leaves out exactly the cells matching every field it names, for every transport', () => {
    const s = clone(defaultScenario);
    delete s.matrix.networks; // loopback only
    delete s.matrix.headers; // minimal headers only
    s.matrix.exclude = [{ clients: 500 }];
    const jobs = expandScenario(s);
    assert.equal(jobs.length, 10);
    assert.ok(jobs.every((j) => j.params.clients === 50));
    s.matrix.exclude = [{ shape: { kind: 'steady', ratePerSec: 20 }, clients: 500 }];
    const ids = expandScenario(s).map((j) => j.id);
    assert.equal(ids.length, 15);
    assert.ok(!ids.some((id) => id.includes('rate=20/s clients=500')));
    assert.ok(
      ids.some((id) => id.includes('rate=1/s clients=500')) && ids.some((id) => id.includes('rate=20/s clients=50 ')),
    );
    delete s.matrix.exclude;
    assert.equal(expandScenario(s).length, 20);
  });

  test('matrix.exclude may name a network: that cell is left out on that network only', () => {
    const s = clone(defaultScenario);
    delete s.matrix.headers; // minimal headers only
    s.matrix.exclude = [{ clients: 50, network: '4g' }];
    const ids = expandScenario(s).map((j) => j.id);
    assert.equal(ids.length, 30, '4 cells on loopback, 2 on 4g');
    assert.ok(!ids.some((id) => id.includes('clients=50 ') && id.includes('network=4g')));
    s.matrix.exclude = [{ network: 'lan' }];
    assert.throws(() => expandScenario(s), /matrix.exclude.0.network: lan is not in matrix.networks/);
  });

  test('matrix.exclude may name a wire: that wire is left out of the cells it names, the others stay', () => {
    const s = clone(defaultScenario);
    delete s.matrix.networks;
    s.matrix.exclude = [{ headers: 'browser', clients: 50 }];
    const jobs = expandScenario(s);
    assert.ok(jobs.some((j) => j.params.clients === 50 && j.params.requestHeaders === 'minimal'));
    assert.ok(!jobs.some((j) => j.params.clients === 50 && j.params.requestHeaders === 'browser'));
    assert.ok(jobs.some((j) => j.params.clients === 500 && j.params.requestHeaders === 'browser'));
    s.matrix.exclude = [{ http: '2' }];
    assert.throws(() => expandScenario(s), /matrix.exclude.0.http: 2 is not among the scenario's wires/);
  });

  test('every built-in scenario expands and validates', () => {
    for (const [name, s] of Object.entries(scenarios)) {
      assert.equal(s.name, name);
      assert.ok(expandScenario(s).length > 0);
      assert.ok(expandScenario(quickProfile(s)).length > 0);
    }
  });
});

test('audiences past one address and one machine are valid scenarios (50,000 clients; the plan checks descriptors and ports)', () => {
  const s = clone(defaultScenario);
  s.matrix = { ...s.matrix, clients: [50_000, 1_000_000], exclude: undefined };
  assert.deepEqual(validateScenario(s).matrix.clients, [50_000, 1_000_000]);
});

describe('validateScenario rejects bad scenarios with a readable message', () => {
  const cases: [string, (s: Scenario) => void, RegExp][] = [
    ['no transports', (s) => (s.transports = []), /transports: needs at least one value/],
    ['unknown transport', (s) => ((s.transports as string[]) = ['carrier-pigeon']), /transports/],
    ['zero clients', (s) => (s.matrix.clients = [0]), /matrix\.clients/],
    ['fractional clients', (s) => (s.matrix.clients = [1.5]), /matrix\.clients/],
    ['more than a million clients', (s) => (s.matrix.clients = [1_000_001]), /matrix\.clients/],
    ['negative rate', (s) => (s.matrix.shapes = [{ kind: 'steady', ratePerSec: -1 }]), /matrix\.shapes/],
    ['empty axis', (s) => (s.matrix.payloadBytes = []), /payloadBytes: needs at least one value/],
    ['repeated value', (s) => (s.matrix.clients = [50, 50]), /matrix\.clients: values must not repeat/],
    ['repeated transport', (s) => (s.transports = ['ws', 'ws']), /transports: values must not repeat/],
    ['unknown key', (s) => ((s as unknown as Record<string, unknown>)['extra'] = 1), /Unrecognized key/i],
    ['window too short', (s) => (s.timing.measureMs = 10), /timing\.measureMs/],
    ['zero repetitions', (s) => (s.repetitions = 0), /repetitions/],
    ['bad name', (s) => (s.name = 'Has Spaces'), /name/],
    ['exclusion naming nothing', (s) => (s.matrix.exclude = [{}]), /matrix\.exclude\.0: names no value/],
    [
      'exclusion off the axis',
      (s) => (s.matrix.exclude = [{ clients: 51 }]),
      /matrix\.exclude\.0\.clients: 51 is not in matrix\.clients/,
    ],
    [
      'exclusion of an unknown shape',
      (s) => (s.matrix.exclude = [{ shape: { kind: 'steady', ratePerSec: 7 } }]),
      /matrix\.exclude\.0\.shape: rate=7\/s is not in matrix\.shapes/,
    ],
    [
      'exclusions covering every cell',
      (s) => (s.matrix.exclude = [{ clients: 50 }, { clients: 500 }]),
      /matrix\.exclude: excludes every cell/,
    ],
  ];
  for (const [name, mutate, message] of cases) {
    test(name, () => {
      const s = clone(defaultScenario);
      mutate(s);
      assert.throws(
        () => validateScenario(s),
        (err: unknown) => err instanceof ScenarioError && message.test(err.message),
      );
      assert.throws(() => expandScenario(s), ScenarioError);
    });
  }
});

describe('interleave', () => {
  test('every job once per repetition, repetitions in order, job order rotated each repetition', () => {
    const order = interleave(['a', 'b', 'c'], 3);
    assert.deepEqual(
      order.map((o) => `${o.repetition}${o.job}`),
      ['1a', '1b', '1c', '2b', '2c', '2a', '3c', '3a', '3b'],
    );
  });
});

describe('quickProfile', () => {
  test('keeps transports, takes the smallest audience and the highest rate, one short repetition', () => {
    const q = quickProfile(defaultScenario);
    assert.deepEqual(q.transports, defaultScenario.transports);
    assert.deepEqual(q.matrix.clients, [50]);
    assert.deepEqual(q.matrix.shapes, [{ kind: 'steady', ratePerSec: 20 }]);
    assert.equal(q.repetitions, 1);
    assert.ok(q.timing.measureMs < defaultScenario.timing.measureMs);
    assert.equal(expandScenario(q).length, 10, 'one cell on each network');
    assert.equal(q.matrix.exclude, undefined, "the scenario's exclusions are about its full product");
  });
});
