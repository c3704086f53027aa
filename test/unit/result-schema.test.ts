import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { parseResult, resultSchema, type Result } from '../../bench/result-schema.ts';
import { ResultStore } from '../../bench/result-store.ts';

const fixture = (): Result =>
  parseResult(JSON.parse(readFileSync(new URL('../fixtures/quick-result.json', import.meta.url), 'utf8')));

describe('result schema', () => {
  test('a real result file validates, and its kept histogram decodes to the recorded summary', () => {
    const r = fixture();
    // The committed fixture is a version-1 file, read as version 2 (bench/result-v1.ts).
    assert.equal(
      JSON.parse(readFileSync(new URL('../fixtures/quick-result.json', import.meta.url), 'utf8')).schemaVersion,
      1,
    );
    assert.equal(r.schemaVersion, 2);
    const run = r.jobs[0]!.runs[0]!;
    assert.equal(run.status, 'completed');
    if (run.status !== 'completed') return;
    const h = decodeFromCompressedBase64(run.latency.data);
    assert.equal(h.totalCount, run.latency.summary.count);
    assert.equal(h.getValueAtPercentile(99), run.latency.summary.p99);
    for (const metric of Object.values(run.metrics)) {
      assert.equal(typeof metric.value, 'number');
      assert.ok(metric.unit.length > 0);
    }
  });

  test('errored and aborted runs are part of the union', () => {
    const r = fixture();
    r.jobs[0]!.runs.push({
      status: 'errored',
      repetition: 2,
      startedAt: new Date(0).toISOString(),
      phase: 'measure',
      error: 'server exited (code 1)',
    });
    r.jobs[0]!.runs.push({ status: 'aborted', repetition: 3, reason: 'not started: the run was interrupted' });
    assert.equal(parseResult(JSON.parse(JSON.stringify(r))).jobs[0]!.runs.length, 3);
  });

  test('rejects documents that are not results, naming the problem', () => {
    assert.throws(() => parseResult({}), /not a valid pollbench result.*schemaVersion/);
    const r = fixture() as unknown as { schemaVersion: number };
    r.schemaVersion = 99;
    assert.throws(() => parseResult(r), /schemaVersion/);
    const bad = fixture();
    (bad.jobs[0]!.runs[0] as { status: string }).status = 'finished';
    assert.throws(() => parseResult(JSON.parse(JSON.stringify(bad))), /jobs\.0\.runs\.0\.status/);
    const unitless = fixture();
    const run = unitless.jobs[0]!.runs[0]!;
    if (run.status === 'completed') (run.metrics['latency_p50_us'] as { unit: string }).unit = 'furlongs';
    assert.throws(() => parseResult(JSON.parse(JSON.stringify(unitless))), /unit/);
  });
});

describe('ResultStore', () => {
  test('writes the file and latest.json atomically, leaving no temp files, and refuses invalid documents', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-store-'));
    try {
      const store = new ResultStore(dir, 'default', new Date('2026-01-02T03:04:05.678Z'));
      const r = fixture();
      store.save(r);
      assert.deepEqual(readdirSync(dir).sort(), ['2026-01-02T03-04-05-678Z-default.json', 'latest.json']);
      assert.deepEqual(resultSchema.parse(JSON.parse(readFileSync(store.file, 'utf8'))), r);
      assert.equal(readFileSync(store.latest, 'utf8'), readFileSync(store.file, 'utf8'));
      const broken = { ...r, status: 'nope' } as unknown as Result;
      assert.throws(() => store.save(broken));
      assert.equal(
        JSON.parse(readFileSync(store.file, 'utf8')).status,
        r.status,
        'an invalid document never replaces a valid one',
      );
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.endsWith('.tmp')),
        [],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
