/**
 * A SIGTERM or SIGINT to the process the user started (npm, npx) stops the whole tree: the
 * command, tsx, the publisher, the server and the load generator, with the finished runs kept in a
 * result file that says it was interrupted. A supervisor or `timeout` signals exactly that PID, not
 * the process group a terminal's Ctrl-C reaches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseResult, type Result } from '../../bench/result-schema.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** A small plan: three 1 s runs of five WebSocket clients after a quick calibration. */
const PLAN = [
  '--quick',
  '--transports',
  'ws',
  '--network',
  'loopback',
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
];
/** The issue asks for 2 s; a second more for a loaded machine. */
const STOPPED_WITHIN_MS = 3000;
const START_WITHIN_MS = 90_000;

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  startTicks: string;
  args: string;
}

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return { pid, state: f[0]!, ppid: Number(f[1]), startTicks: f[19]!, args };
  } catch {
    return null;
  }
}

/** Every process below `root`, found by walking /proc by parent PID. */
function descendants(root: number): Proc[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => readProc(Number(d)) ?? []);
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const p of all.filter((q) => q.ppid === parent)) {
      found.push(p);
      queue.push(p.pid);
    }
  }
  return found;
}

/** Still running: the same process (not a reused PID) and not a zombie waiting to be reaped. */
function running(p: Proc): boolean {
  try {
    process.kill(p.pid, 0);
  } catch {
    return false;
  }
  const now = readProc(p.pid);
  return now !== null && now.startTicks === p.startTicks && now.state !== 'Z';
}

const isServer = (p: Proc) => /servers-main|servers\/main\.ts/.test(p.args);
const isLoad = (p: Proc) => /bench-load-main|bench\/load\/main\.ts/.test(p.args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `command args… --out <dir>`, waits until its stderr shows `when` and a server and a load
 * generator run below it, records the whole tree, sends `signal` to the started process only, and
 * checks that every recorded process is gone within STOPPED_WITHIN_MS. Returns the result file.
 */
async function signalTree(command: string, args: string[], signal: NodeJS.Signals, when: string): Promise<Result> {
  const out = mkdtempSync(path.join(tmpdir(), 'pollbench-signals-'));
  const child = spawn(command, [...args, '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let tree: Proc[] = [];
  try {
    const deadline = Date.now() + START_WITHIN_MS;
    while (Date.now() < deadline) {
      tree = descendants(child.pid!);
      if (stderr.includes(when) && tree.some(isServer) && tree.some(isLoad)) break;
      await sleep(50);
    }
    assert.ok(stderr.includes(when), `never got to "${when}": ${stderr}`);
    assert.ok(tree.some(isServer) && tree.some(isLoad), 'a server and a load generator were running');

    child.kill(signal);
    const sent = Date.now();
    while (tree.some(running) && Date.now() - sent < STOPPED_WITHIN_MS) await sleep(50);
    const left = tree.filter(running).map((p) => `${p.pid} ${p.args.slice(0, 100)}`);
    assert.deepEqual(left, [], `still running ${STOPPED_WITHIN_MS} ms after ${signal}:\n${stderr}`);
    await Promise.race([exited, sleep(STOPPED_WITHIN_MS)]);
    return parseResult(JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')));
  } finally {
    // What this test started and left behind (only when it failed): by PID, never by name.
    for (const p of tree.filter(running)) process.kill(p.pid, 'SIGKILL');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(out, { recursive: true, force: true });
  }
}

test('SIGTERM to npm during the second run: everything stops, the first run is kept', async () => {
  const result = await signalTree('npm', ['run', 'bench', '--', ...PLAN], 'SIGTERM', '[2/3]');
  assert.equal(result.status, 'interrupted');
  const runs = result.jobs[0]!.runs;
  assert.deepEqual(
    runs.map((r) => r.status),
    ['completed', 'aborted', 'aborted'],
  );
});

test('SIGINT to npm during calibration: everything stops, every run is marked as not started', async () => {
  const result = await signalTree('npm', ['run', 'bench', '--', ...PLAN], 'SIGINT', 'calibration');
  assert.equal(result.status, 'interrupted');
  assert.deepEqual(
    result.jobs[0]!.runs.map((r) => r.status),
    ['aborted', 'aborted', 'aborted'],
  );
});

test('SIGTERM to npx tsx bench/commands/bench.ts: everything stops', async () => {
  const result = await signalTree('npx', ['tsx', 'bench/commands/bench.ts', ...PLAN], 'SIGTERM', 'calibration');
  assert.equal(result.status, 'interrupted');
});
