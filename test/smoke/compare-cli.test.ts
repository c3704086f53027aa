/** `npm run compare` and `npm run bench:ci` as a CI job meets them: verdicts as exit codes, bad input as exit 2. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures');
const cli = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
const fixture = (name: string) => path.join(FIXTURES, name);

test('compare: a regression exits 1 with the Markdown verdict; the same result exits 0; --json and --markdown write files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-compare-'));
  try {
    const worse = cli('bench/commands/compare.ts', [
      fixture('small-result.json'),
      fixture('loss-result.json'),
      '--json',
      path.join(dir, 'c.json'),
      '--markdown',
      path.join(dir, 'c.md'),
    ]);
    assert.equal(worse.status, 1, worse.stderr);
    assert.match(worse.stdout, /^## pollbench: \d+ regressions?/);
    assert.match(worse.stdout, /events lost/);
    assert.match(worse.stderr, /^REGRESSED: /m);
    assert.equal(readFileSync(path.join(dir, 'c.md'), 'utf8'), worse.stdout);
    const json = JSON.parse(readFileSync(path.join(dir, 'c.json'), 'utf8')) as { schema: string; verdict: string };
    assert.equal(json.schema, 'pollbench-comparison/1');
    assert.equal(json.verdict, 'regressed');

    const same = cli('bench/commands/compare.ts', [fixture('small-result.json'), fixture('small-result.json')]);
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, /^## pollbench: no regression/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compare: unusable input exits 2 with one clear line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-compare-'));
  try {
    const disjoint = JSON.parse(readFileSync(fixture('small-result.json'), 'utf8')) as { jobs: { id: string }[] };
    for (const job of disjoint.jobs) job.id = `other ${job.id}`;
    writeFileSync(path.join(dir, 'disjoint.json'), JSON.stringify(disjoint));
    writeFileSync(path.join(dir, 'v3.json'), JSON.stringify({ ...disjoint, schemaVersion: 3 }));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ alpha: 3 }));
    const cases: [string[], RegExp][] = [
      [[fixture('small-result.json'), path.join(dir, 'disjoint.json')], /share no job/],
      [
        [fixture('small-result.json'), path.join(dir, 'v3.json')],
        /not a valid pollbench result \(schema v2\): schemaVersion/,
      ],
      [[fixture('small-result.json')], /give a baseline and a candidate result file \(got 1 files\)/],
      [
        [fixture('small-result.json'), fixture('small-result.json'), '--alpha', 'lots'],
        /--alpha: "lots" is not a number/,
      ],
      [
        [fixture('small-result.json'), fixture('small-result.json'), '--config', path.join(dir, 'config.json')],
        /invalid thresholds: alpha/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = cli('bench/commands/compare.ts', args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr.split('\n')[0]!, message);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench:ci: an unknown git ref or conflicting options exit 2 before running anything, leaving no worktree', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-ci-'));
  try {
    const before = spawnSync('git', ['worktree', 'list'], { cwd: ROOT, encoding: 'utf8' }).stdout;
    const unknown = cli('bench/commands/ci.ts', ['--against', 'no-such-ref-anywhere', '--out', dir]);
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(unknown.stderr, /"no-such-ref-anywhere" is not a commit in this repository/);
    assert.equal(spawnSync('git', ['worktree', 'list'], { cwd: ROOT, encoding: 'utf8' }).stdout, before);
    const both = cli('bench/commands/ci.ts', [
      '--against',
      'HEAD',
      '--baseline',
      fixture('small-result.json'),
      '--out',
      dir,
    ]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /give --against or --baseline, not both/);
    const runs = cli('bench/commands/ci.ts', ['--runs', 'many', '--out', dir]);
    assert.equal(runs.status, 2);
    assert.match(runs.stderr, /--runs must be a whole number/);
    assert.ok(!existsSync(path.join(dir, 'candidate.json')), 'nothing ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
