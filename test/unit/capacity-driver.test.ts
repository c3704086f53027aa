import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { capacityPlan } from '../../bench/capacity/driver.ts';
import { expandScenario } from '../../bench/matrix.ts';
import { parseResult, resultSchema, type CompletedRun, type Result } from '../../bench/result-schema.ts';
import { capacityScenario } from '../../bench/scenarios/capacity.ts';
import type { Scenario } from '../../bench/scenarios/schema.ts';

const fixture = parseResult(
  JSON.parse(readFileSync(new URL('../fixtures/small-result.json', import.meta.url), 'utf8')),
);
const template = fixture.jobs[0]!.runs[0] as CompletedRun;
const machine = { cores: 2, memoryBytes: 8 * 2 ** 30, descriptorHardLimit: 20_000, ephemeralPorts: 28_232 };
const request = { p99Ms: 1000, start: 1000, max: 100_000, factor: 2, resolution: 0.1, maxSteps: 10 };

/** A completed run whose p99 is `p99Ms` and whose server CPU grows with the audience. */
function fakeRun(clients: number, p99Ms: number): CompletedRun {
  const run = structuredClone(template);
  const m = run.metrics as Record<string, { value: number }>;
  m['latency_p99_us'] = { ...m['latency_p99_us']!, value: p99Ms * 1000 };
  m['server_cpu_fraction'] = { ...m['server_cpu_fraction']!, value: clients / 6000 };
  m['server_event_loop_utilization'] = { ...m['server_event_loop_utilization']!, value: Math.min(1, clients / 5500) };
  return run;
}

/** Runs a plan the way runPlan does, with a fake measurement: p99 crosses 1 s above `ceiling` clients. */
function drive(scenario: Scenario, ceiling: (transport: string) => number, descriptorMax: number | null = null) {
  const plan = capacityPlan(scenario, request, machine, descriptorMax);
  const result: Result = structuredClone(fixture);
  result.jobs = [];
  let batch = expandScenario(plan.scenario);
  for (let guard = 0; batch.length > 0 && guard < 100; guard++) {
    for (const j of batch) {
      plan.extension.runStarted(j.id, 1);
      const p99 = j.params.clients <= ceiling(j.params.transport) ? 200 : 1500;
      result.jobs.push({ ...j, runs: [fakeRun(j.params.clients, p99)] });
      plan.extension.runEnded(j.id, 1);
    }
    batch = plan.extension.more(result);
  }
  plan.extension.annotate(result);
  return { plan, result };
}

test('one search per transport; every step is a job of the result and a step of its search, in order', () => {
  const scenario = { ...capacityScenario, transports: capacityScenario.transports.slice(0, 2) };
  const [first, second] = scenario.transports;
  const { result } = drive(scenario, (t) => (t === first ? 5000 : 3000));
  const c = result.capacity!;
  assert.equal(c.searches.length, 2);
  const a = c.searches.find((s) => s.transport === first)!;
  assert.deepEqual(
    a.steps.map((s) => [s.clients, s.pass]),
    [
      [1000, true],
      [2000, true],
      [4000, true],
      [8000, false],
      [6000, false],
      [5000, true],
      [5500, false],
    ],
  );
  assert.deepEqual([a.largestPass, a.firstFail, a.ended], [5000, 5500, 'narrowed']);
  // The fake's server loop is above 90% busy at 5,500 clients: the limit named is server CPU.
  assert.equal(a.limit?.resource, 'server-cpu');
  assert.equal(a.limit?.clients, 5500);
  const b = c.searches.find((s) => s.transport === second)!;
  assert.equal(b.largestPass, 3000);
  // Every step's job is in the result, with its run.
  for (const s of c.searches)
    for (const st of s.steps) assert.equal(result.jobs.find((j) => j.id === st.jobId)?.runs.length, 1);
  assert.equal(result.jobs.length, a.steps.length + b.steps.length);
  assert.deepEqual(c.settings, {
    start: 1000,
    max: 100_000,
    requestedMax: 100_000,
    factor: 2,
    resolution: 0.1,
    maxSteps: 10,
  });
  // The section validates as part of the result.
  assert.ok(resultSchema.safeParse(result).success);
});

test('a deployment passes through: its jobs keep broker and server processes, one search each', () => {
  const scenario: Scenario = {
    ...capacityScenario,
    transports: capacityScenario.transports.slice(0, 1),
    matrix: {
      ...capacityScenario.matrix,
      deployments: [
        { broker: 'memory', serverProcesses: 1 },
        { broker: 'redis', serverProcesses: 2 },
      ],
    },
  };
  const { result } = drive(scenario, () => 2500);
  const searches = result.capacity!.searches;
  assert.deepEqual(
    searches.map((s) => [s.broker, s.serverProcesses]),
    [
      ['memory', 1],
      ['redis', 2],
    ],
  );
  for (const st of searches[1]!.steps) assert.match(st.jobId, / broker=redis servers=2$/);
  for (const st of searches[0]!.steps) assert.doesNotMatch(st.jobId, /broker=/);
  // The runs' recorded pinning put the server on core 0: the 2 processes shared that one core.
  assert.match(searches[1]!.limit!.detail, /over 2 processes on 1 core \(at most 100%\)/);
});

test("at the descriptors' cap with the level still met, the limit is the descriptors", () => {
  const scenario = { ...capacityScenario, transports: capacityScenario.transports.slice(0, 1) };
  const { result, plan } = drive(scenario, () => 1e9, 3000);
  assert.equal(plan.settings.max, 3000);
  const s = result.capacity!.searches[0]!;
  assert.deepEqual(
    s.steps.map((st) => st.clients),
    [1000, 2000, 3000],
  );
  assert.equal(s.ended, 'cap-reached');
  assert.equal(s.limit?.resource, 'descriptors');
  assert.match(s.limit!.detail, /hard open-files limit of 20000/);
});

test('the search goes past 20,000 clients: the scenario bounds no audience the machine allows', () => {
  const scenario = { ...capacityScenario, transports: capacityScenario.transports.slice(0, 1) };
  const { result } = drive(scenario, () => 40_000);
  const s = result.capacity!.searches[0]!;
  // 1,000 doubling to 32,000 (met), 64,000 broke, then narrowed between them.
  assert.ok(s.steps.some((st) => st.clients === 64_000 && st.pass === false));
  assert.ok(s.largestPass! >= 32_000 && s.largestPass! <= 40_000, String(s.largestPass));
});
