/**
 * Smoke: `npm run bench -- --capacity` as a user runs it, with a tiny audience cap and short windows:
 * real runs for every step, a result with a capacity section, exit code 0; and a bad value: one
 * line, exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseResult } from '../../bench/result-schema.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = ['--import', 'tsx', path.join(ROOT, 'bench/commands/bench.ts')];

test('--capacity with a cap of 8 clients: three steps, all kept, a capacity section, exit 0', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-capacity-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        ...CLI,
        '--capacity',
        '--quick',
        '--transports',
        'ws',
        '--capacity-start',
        '2',
        '--capacity-max',
        '8',
        '--duration',
        '1',
        '--warmup',
        '0.3',
        '--slo-p99',
        '5s',
        '--out',
        dir,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /capacity search: p99 <= 5000 ms/);
    assert.match(r.stdout, /### How many clients\? Capacity search/);
    const result = parseResult(JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')));
    const c = result.capacity!;
    assert.equal(c.serviceLevel.p99Ms, 5000);
    assert.deepEqual([c.settings.start, c.settings.max], [2, 8]);
    const [search] = c.searches;
    assert.equal(c.searches.length, 1);
    assert.deepEqual(
      search!.steps.map((s) => [s.clients, s.pass]),
      [
        [2, true],
        [4, true],
        [8, true],
      ],
    );
    assert.equal(search!.ended, 'cap-reached');
    // Every step is a real run of its own job.
    for (const s of search!.steps) {
      const job = result.jobs.find((j) => j.id === s.jobId)!;
      assert.equal(job.params.clients, s.clients);
      assert.equal(job.runs[0]!.status, 'completed');
    }
    assert.equal(result.status, 'complete');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad capacity value: one line, exit 2', () => {
  const r = spawnSync(process.execPath, [...CLI, '--capacity', '--slo-p99', 'never'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr.split('\n')[0],
    'pollbench: --slo-p99 must be a duration from 1ms to 600s, like 1s or 500ms, got "never"',
  );
});
