/**
 * npm run agent's lifecycle: an unreachable broker is one line and exit 2; a registered agent serving
 * a run stops on SIGTERM with its load process gone and its registration removed (exit 0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { findRedisServer, startRedisServer } from '../../bench/broker/redis-server.ts';
import { AgentPool } from '../../bench/agent/pool.ts';

const AGENT = fileURLToPath(new URL('../../bench/commands/agent.ts', import.meta.url));
const skip = !findRedisServer() && !process.env['CI'] ? 'redis-server is not installed' : false;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('an unreachable broker: one line, exit 2', () => {
  const out = spawnSync(process.execPath, ['--import', 'tsx', AGENT, '--broker', 'redis://127.0.0.1:1'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(out.status, 2);
  assert.equal(
    out.stderr,
    'pollbench agent: cannot reach the broker at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n',
  );
});

test('bad arguments: exit 2 with the reason', () => {
  const out = spawnSync(process.execPath, ['--import', 'tsx', AGENT, '--broker', 'http://x:1'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(out.status, 2);
  assert.match(out.stderr, /^pollbench agent: --broker must be redis:\/\/HOST:PORT, got "http:\/\/x:1"\n/);
});

test(
  'SIGTERM stops a serving agent: its load process gone, its registration removed, exit 0',
  { skip, timeout: 60_000 },
  async () => {
    const redis = await startRedisServer({ cpus: null });
    const client = new Redis(redis.url);
    const agent = spawn(process.execPath, ['--import', 'tsx', AGENT, '--broker', redis.url, '--name', 'sigterm'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    agent.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(agent, 'exit');
    try {
      const pool = await AgentPool.open({
        url: redis.url,
        count: 1,
        waitMs: 30_000,
        clockHost: '127.0.0.1',
        signal: new AbortController().signal,
      });
      try {
        const load = pool.load();
        await load.waitFor('ready', 30_000);
        const loadPid = load.pid!;
        assert.ok(loadPid > 0 && alive(loadPid));
        agent.kill('SIGTERM');
        const [code] = await exited;
        assert.equal(code, 0, stderr);
        assert.equal(alive(loadPid), false, `load process ${loadPid} outlived its agent`);
        // The run that used it fails in bounded time with the reason, rather than waiting out its timeout.
        await assert.rejects(load.waitFor('checkpoint', 30_000), /exited|stopped answering/);
        await load.stop();
        assert.equal(await client.llen('pollbench:agents'), 0);
        assert.deepEqual(await client.keys('pollbench:agent:*'), []);
      } finally {
        await pool.close();
      }
    } finally {
      agent.kill('SIGKILL');
      client.disconnect();
      await redis.stop();
    }
  },
);
