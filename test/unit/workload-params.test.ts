import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_WORKLOAD, workloadLabel, workloadSchema, type Workload } from '../../bench/workload-params.ts';
import { jobParamsSchema } from '../../bench/result-schema.ts';
import { DEFAULT_SERVER_LIMITS, serverLimitsSchema } from '../../servers/contract/server-limits.ts';

const workload: fc.Arbitrary<Workload> = fc.oneof(
  fc.constant<Workload>({ kind: 'steady' }),
  fc.constant<Workload>({ kind: 'idle' }),
  fc.record({
    kind: fc.constant('drops' as const),
    everyMs: fc.integer({ min: 500, max: 600_000 }),
    share: fc.integer({ min: 1, max: 100 }).map((p) => p / 100),
    offlineMs: fc.integer({ min: 2_000, max: 600_000 }),
  }),
  fc.record({ kind: fc.constant('restart' as const), downMs: fc.integer({ min: 0, max: 600_000 }) }),
  fc.record({ kind: fc.constant('slow-readers' as const), count: fc.integer({ min: 1, max: 100_000 }) }),
);

test('the default workload adds nothing to a job id, so results before issue 12 keep theirs', () => {
  assert.equal(workloadLabel(DEFAULT_WORKLOAD), '');
  // A result written before the field existed parses to the default.
  const parsed = jobParamsSchema.shape.workload.parse(undefined);
  assert.deepEqual(parsed, { kind: 'steady' });
});

test('two different workloads never share a label (ids stay unique)', () => {
  fc.assert(
    fc.property(workload, workload, (a, b) => {
      assert.ok(workloadSchema.safeParse(a).success);
      const la = workloadLabel({ ...DEFAULT_WORKLOAD, workload: a });
      const lb = workloadLabel({ ...DEFAULT_WORKLOAD, workload: b });
      assert.equal(la === lb, JSON.stringify(a) === JSON.stringify(b), `${la} vs ${lb}`);
    }),
    { numRuns: 500 },
  );
});

test('drops keep clients offline at least 2 s, as the issue asks', () => {
  assert.equal(workloadSchema.safeParse({ kind: 'drops', everyMs: 5000, share: 0.1, offlineMs: 1999 }).success, false);
});

test('the default server limits are valid limits', () => {
  assert.deepEqual(serverLimitsSchema.parse(DEFAULT_SERVER_LIMITS), DEFAULT_SERVER_LIMITS);
});

test('a scenario lists workloads like any axis; an exclusion naming one leaves its cells only', async () => {
  const { expandScenario, validateScenario } = await import('../../bench/matrix.ts');
  const { defaultScenario } = await import('../../bench/scenarios/default.ts');
  const base = {
    ...defaultScenario,
    transports: ['ws' as const],
    matrix: {
      shapes: [{ kind: 'steady' as const, ratePerSec: 1 }],
      clients: [10, 1000],
      payloadBytes: [256],
      pollIntervalMs: [1000],
      workloads: [{ kind: 'drops' as const, everyMs: 5000, share: 0.1, offlineMs: 2000 }, { kind: 'idle' as const }],
      exclude: [
        { clients: 10, workload: 'idle' as const },
        { clients: 1000, workload: 'drops' as const },
      ],
    },
    keepAlive: { wsPingMs: 30_000, sseCommentMs: 15_000 },
  };
  const jobs = expandScenario(base);
  assert.deepEqual(
    jobs.map((j) => [j.params.clients, j.params.workload.kind]),
    [
      [10, 'drops'],
      [1000, 'idle'],
    ],
  );
  assert.match(jobs[0]!.id, / drops=10%\/5s\(off 2s\) ws-ping=30s$/);
  // Only the keep-alive its server sends: a WebSocket job records the ping, never the SSE comment.
  assert.deepEqual(jobs[1]!.params.keepAlive, { wsPingMs: 30_000, sseCommentMs: null });
  assert.throws(
    () => validateScenario({ ...base, matrix: { ...base.matrix, exclude: [{ workload: 'restart' as const }] } }),
    /matrix\.exclude\.0\.workload: restart is not in matrix\.workloads/,
  );
  assert.throws(
    () =>
      validateScenario({
        ...base,
        matrix: { ...base.matrix, exclude: [{ workload: 'drops' as const }, { workload: 'idle' as const }] },
      }),
    /excludes every cell/,
  );
});
