/**
 * `npm run serve` as a user meets it: it prints its URL, plain clients (fetch, a WebSocket) receive
 * the live feed from it, SIGTERM stops it with exit 0 and leaves no process behind; bad input is one
 * line and exit 2. Every wait is bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { waitUntil, withTimeout } from '../helpers/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVE = ['--import', 'tsx', path.join(ROOT, 'bench/commands/serve.ts')];
const WAIT_MS = 30_000;

/** The direct children of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts serve and resolves with its printed URL once it has printed its endpoints. */
async function startServe(args: string[]): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, [...SERVE, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitUntil(
    () => out.includes('Ctrl-C stops it.') || child.exitCode !== null,
    WAIT_MS,
    () => out,
  );
  const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  assert.ok(url, out);
  return { child, url, out: () => out };
}

/** SIGTERM; the exit code, and the server process it had started, which must be gone too. */
async function stopServe(child: ChildProcess): Promise<number | null> {
  const server = childrenOf(child.pid!);
  assert.equal(server.length, 1, 'one child: the server process');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const code = await withTimeout(exited, WAIT_MS, 'serve to exit after SIGTERM');
  await waitUntil(() => !alive(server[0]!), 5000, 'the server process to exit');
  return code;
}

describe('npm run serve', () => {
  test('short polling: the printed URL serves the live feed to fetch; SIGTERM exits 0, no orphan', async () => {
    const { child, url, out } = await startServe(['--transport', 'short-poll', '--rate', '50', '--framework', 'node']);
    try {
      assert.match(out(), /GET http:\/\/127\.0\.0\.1:\d+\/events\?since=0/);
      assert.match(out(), /curl /);
      const seqs: number[] = [];
      for (let i = 0; i < 100 && seqs.length < 3; i++) {
        const res = await fetch(`${url}/events?since=${seqs.at(-1) ?? 0}`);
        assert.equal(res.status, 200);
        seqs.push(...((await res.json()) as { seq: number }[]).map((e) => e.seq));
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(seqs.slice(0, 3), [1, 2, 3]);
    } finally {
      assert.equal(await stopServe(child), 0);
    }
  });

  test('WebSocket: a plain ws client receives events in order; SIGTERM exits 0, no orphan', async () => {
    const { child, url } = await startServe(['--transport', 'ws', '--rate', '50', '--port', '0']);
    try {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?since=0`, { perMessageDeflate: false });
      const seqs: number[] = [];
      ws.on('message', (data) => seqs.push((JSON.parse(data.toString()) as { seq: number }).seq));
      ws.on('error', () => {});
      try {
        await waitUntil(
          () => seqs.length >= 5,
          WAIT_MS,
          () => `${seqs.length} events`,
        );
        assert.deepEqual(seqs.slice(0, 5), [1, 2, 3, 4, 5]);
      } finally {
        ws.terminate();
      }
    } finally {
      assert.equal(await stopServe(child), 0);
    }
  });

  for (const [args, said] of [
    [['--rate', '5'], /--transport is required/],
    [['--transport', 'carrier-pigeon'], /unknown transport "carrier-pigeon"/],
    [['--transport', 'ws', '--host', '0.0.0.0'], /--host 0\.0\.0\.0 serves anyone .* add --public/],
    [['--transport', 'ws', '--rate', '0'], /--rate must be a number/],
    [['--transport', 'ws', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--transport', 'ws', '--max-connections', 'lots'], /--max-connections must be a whole number/],
  ] as const)
    test(`bad input ${args.join(' ')}: one line, exit 2`, () => {
      const r = spawnSync(process.execPath, [...SERVE, ...args], { cwd: ROOT, encoding: 'utf8', timeout: WAIT_MS });
      assert.equal(r.status, 2, r.stderr);
      const first = r.stderr.split('\n')[0]!;
      assert.match(first, /^pollbench serve: /);
      assert.match(first, said);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
    });
});
