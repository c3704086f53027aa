/**
 * A folder or file a command cannot write is one sentence naming it and why, exit 2, before anything
 * runs. Before: --out /proc/nonexistent/x spun at 100% CPU forever (recursive mkdir on procfs); the
 * other cases exited 1 with a raw errno line after the plan had started.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/small-result.json');
const QUICK = ['--quick', '--transports', 'ws', '--network', 'loopback', '--headers', 'minimal', '--runs', '1'];

/** Runs a command entry; killed (and reported) after 60 s, so a spinning mkdir fails instead of hanging. */
function run(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/commands', command), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      stderr += '\n(killed after 60 s)';
      child.kill('SIGKILL');
    }, 60_000);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

test('--out and the other output options: exit 2 with one sentence naming the path, nothing run', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-out-'));
  try {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    const readOnly = path.join(dir, 'read-only');
    mkdirSync(readOnly, { mode: 0o555 });
    chmodSync(readOnly, 0o555);
    let rootIgnoresModes = false;
    try {
      accessSync(readOnly, constants.W_OK);
      rootIgnoresModes = true;
    } catch {
      // not root: the folder is read-only to this user
    }
    const bad = ['/proc/nonexistent/x', '/dev/null/x', file, `${file}/x`, '', '/sys', '/sys/x'];
    if (!rootIgnoresModes) bad.push(readOnly);
    else t.diagnostic('running as root: mode bits do not stop root, so the read-only case is /sys alone');

    const cases: [string, string[], string][] = [
      ...bad.map((out): [string, string[], string] => ['bench.ts', [...QUICK, '--out', out], `pollbench: --out`]),
      ['ci.ts', ['--out', '/dev/null/x'], 'pollbench ci: --out'],
      ['false-alarms.ts', ['--out', '/proc/nonexistent/x'], 'pollbench false-alarms: --out'],
      ['report.ts', [FIXTURE, '--out', file], 'pollbench report: --out'],
      ['compare.ts', [FIXTURE, FIXTURE, '--markdown', '/dev/null/x.md'], 'pollbench compare: --markdown'],
      ['compare.ts', [FIXTURE, FIXTURE, '--json', dir], 'pollbench compare: --json'],
      ['pages.ts', [FIXTURE, '/proc/nonexistent/site'], 'pollbench pages: the site folder'],
    ];
    // Three at a time: each is a node start with tsx, and the machine has two cores.
    const outcomes: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < cases.length; i += 3)
      outcomes.push(...(await Promise.all(cases.slice(i, i + 3).map(([command, args]) => run(command, args)))));
    for (const [i, [command, args, prefix]] of cases.entries()) {
      const { status, stdout, stderr } = outcomes[i]!;
      const what = `${command} ${args.join(' ')}: ${stderr}`;
      assert.equal(status, 2, what);
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, what);
      assert.ok(lines[0]!.startsWith(`${prefix} "`), what);
      assert.doesNotMatch(stderr, /\bat .*\.ts:\d+|E[A-Z]+: /, `no stack, no raw errno: ${what}`);
      assert.equal(stdout, '', what);
    }
  } finally {
    chmodSync(path.join(dir, 'read-only'), 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});
