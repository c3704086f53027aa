/** The CLI as a user meets it: bad input, and Ctrl-C in the middle of a run. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseResult } from '../../bench/result-schema.ts';
import { readRaiseRights } from '../../bench/descriptors.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = ['--import', 'tsx', path.join(ROOT, 'bench/commands/bench.ts')];

/** PIDs of pollbench child processes (servers, load generators, publishers) on this machine. */
function pollbenchChildren(): Set<number> {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return new Set(
    ps.stdout
      .split('\n')
      .filter((l) =>
        ['servers/main.ts', 'bench/load/main.ts', 'bench/publisher/main.ts'].some((script) =>
          l.includes(path.join(ROOT, script)),
        ),
      )
      .map((l) => Number(l.trim().split(/\s+/)[0])),
  );
}

describe('bench CLI', () => {
  test('a bad value prints one clear line and the usage, exit code 2, no stack trace', () => {
    const r = spawnSync(process.execPath, [...CLI, '--clients', 'many'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 2);
    const lines = r.stderr.split('\n');
    assert.equal(lines[0], 'pollbench: --clients: "many" is not a number');
    assert.match(r.stderr, /Usage: npm run bench/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  test('too few file descriptors for the plan: one line saying what to run, exit code 2, nothing started', (t) => {
    if (spawnSync('prlimit', ['--version']).status !== 0) return t.skip('prlimit not installed');
    const before = pollbenchChildren();
    // A process that may raise its hard limit (root with CAP_SYS_RESOURCE) would raise it and run:
    // this one is started without that capability, as a user's would be.
    const limited = [
      'prlimit',
      '--nofile=256:256',
      process.execPath,
      ...CLI,
      ...['--transports', 'ws', '--clients', '1000', '--runs', '1', '--duration', '1'],
    ];
    const argv = readRaiseRights().canRaise ? ['setpriv', '--bounding-set', '-sys_resource', ...limited] : limited;
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    // Root without the capability is told where a container's or service's limit is set.
    const how =
      process.geteuid?.() === 0
        ? 'this root process lacks CAP_SYS_RESOURCE, so raise it where its container or service starts (docker run --ulimit nofile=1200:1200; LimitNOFILE=1200)'
        : 'as root: ulimit -Hn 1200; or LimitNOFILE / limits.conf';
    assert.deepEqual(r.stderr.trimEnd().split('\n'), [
      `pollbench: 1000 clients need 1200 open files per process, above the hard limit of 256: raise it (${how}) and run again, or use --clients 141 at most`,
    ]);
    assert.equal(r.stdout, '');
    assert.deepEqual(
      [...pollbenchChildren()].filter((pid) => !before.has(pid)),
      [],
      'no server or load process was started',
    );
  });

  test('--help prints the usage and exits 0', () => {
    const r = spawnSync(process.execPath, [...CLI, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--transports/);
  });

  test('Ctrl-C mid-run: exit 130, finished runs kept in a valid file, the rest marked aborted, no child left', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'pollbench-sigint-'));
    const before = pollbenchChildren();
    try {
      const child = spawn(
        process.execPath,
        [
          ...CLI,
          '--transports',
          'ws',
          '--network',
          'loopback',
          // One wire: the default scenario's second (Chromium's headers) would double the jobs.
          '--headers',
          'minimal',
          '--clients',
          '5',
          '--rate',
          '5',
          '--duration',
          '1',
          '--warmup',
          '0',
          '--runs',
          '3',
          '--out',
          out,
        ],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // Interrupt during the second run, so one run is finished and on disk.
      const deadline = Date.now() + 60_000;
      while (!stderr.includes('[2/3]') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(stderr.includes('[2/3]'), `the second run never started: ${stderr}`);
      child.kill('SIGINT');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000));
      const code = await Promise.race([exited, timeout]);
      if (code === 'timeout') child.kill('SIGKILL');
      assert.equal(code, 130, stderr);

      const result = parseResult(JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')));
      assert.equal(result.status, 'interrupted');
      const runs = result.jobs[0]!.runs;
      assert.equal(runs.length, 3, 'every planned run is in the file');
      assert.equal(runs[0]!.status, 'completed');
      assert.equal(runs[1]!.status, 'aborted');
      assert.equal(runs[2]!.status, 'aborted');
      assert.ok(existsSync(path.join(out, 'latest.json')));
      // The report of what finished is written too, and its path is the last thing printed.
      const html = readdirSync(out).find((f) => f.endsWith('.html'));
      assert.ok(html, `an HTML report in ${readdirSync(out).join(', ')}`);
      assert.ok(
        readdirSync(out).some((f) => f.endsWith('.md')),
        'a Markdown summary',
      );
      assert.match(stderr.trimEnd().split('\n').at(-1)!, new RegExp(`^HTML report: .*${html.replace(/[.]/g, '\\.')}$`));
      await new Promise((r) => setTimeout(r, 200));
      const leftover = [...pollbenchChildren()].filter((pid) => !before.has(pid));
      assert.deepEqual(leftover, [], 'no server or load process left behind');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
