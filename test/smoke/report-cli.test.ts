/** `npm run report` as a user meets it: a saved result in, HTML and Markdown out; bad input, one clear line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = ['--import', 'tsx', path.join(ROOT, 'bench/commands/report.ts')];
const FIXTURES = path.join(ROOT, 'test/fixtures');
const report = (args: string[]) =>
  spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

test('renders a saved result next to itself, with a baseline, and prints where', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-report-'));
  try {
    const file = path.join(dir, 'run.json');
    copyFileSync(path.join(FIXTURES, 'small-result.json'), file);
    const r = report([file, '--baseline', path.join(FIXTURES, 'loss-result.json'), '--print']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(path.join(dir, 'run.html')) && existsSync(path.join(dir, 'run.md')));
    assert.match(r.stderr, /^HTML report: .*run\.html \(\d+ KiB, rendered in [\d.]+ s\)$/m);
    const html = readFileSync(path.join(dir, 'run.html'), 'utf8');
    assert.match(html, /<section id="baseline">/);
    assert.match(html, /loss-result\.json/);
    assert.equal(r.stdout, readFileSync(path.join(dir, 'run.md'), 'utf8'), '--print writes the Markdown to stdout');
    assert.match(r.stdout, /### Compared with/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--out writes elsewhere and leaves the result folder alone', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-report-'));
  try {
    const r = report([path.join(FIXTURES, 'errored-result.json'), '--out', path.join(dir, 'site')]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(path.join(dir, 'site', 'errored-result.html')));
    assert.ok(!existsSync(path.join(FIXTURES, 'errored-result.html')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: one clear line, exit code 2, no stack trace', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-report-'));
  try {
    const notJson = path.join(dir, 'broken.json');
    writeFileSync(notJson, '{"schemaVersion": 1,');
    const wrongShape = path.join(dir, 'other.json');
    writeFileSync(wrongShape, JSON.stringify({ schemaVersion: 99, jobs: [] }));
    // A version-1 file that lost its jobs: the line names the damage, not the version.
    const damagedV1 = path.join(dir, 'damaged.json');
    const small = JSON.parse(readFileSync(path.join(FIXTURES, 'small-result.json'), 'utf8')) as object;
    writeFileSync(damagedV1, JSON.stringify({ ...small, jobs: undefined }));
    const cases: [string[], RegExp][] = [
      [[], /give exactly one result file \(got 0\)/],
      [[path.join(dir, 'missing.json')], /no such file: .*missing\.json/],
      [[notJson], /broken\.json is not JSON/],
      [[wrongShape], /other\.json: not a valid pollbench result \(schema v2\): schemaVersion/],
      [
        [damagedV1],
        /damaged\.json: not a valid pollbench result \(schema v2\): jobs: Invalid input: expected array, received undefined$/,
      ],
      [[path.join(FIXTURES, 'small-result.json'), '--baseline', notJson], /broken\.json is not JSON/],
      [['--colour', 'red'], /Unknown option '--colour'/],
    ];
    for (const [args, message] of cases) {
      const r = report(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr.split('\n')[0]!, message);
      assert.match(r.stderr.split('\n')[0]!, /^pollbench report: /);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
