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
import { startClockResponder } from '../../bench/agent/clock-exchange.ts';
import {
  AGENTS_LIST,
  inboxKey,
  outboxKey,
  type AgentInfo,
  type FromAgent,
  type ToAgent,
} from '../../bench/agent/protocol.ts';
import { alive } from '../../bench/proxy/nginx.ts';

const AGENT = fileURLToPath(new URL('../../bench/commands/agent.ts', import.meta.url));
const skip = !findRedisServer() && !process.env['CI'] ? 'redis-server is not installed' : false;

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

test(
  'an orchestrator that dies without releasing its agent: the agent stops its load process and registers again',
  { skip, timeout: 60_000 },
  async () => {
    const redis = await startRedisServer({ cpus: null });
    const client = new Redis(redis.url);
    const responder = await startClockResponder('127.0.0.1');
    const agent = spawn(process.execPath, ['--import', 'tsx', AGENT, '--broker', redis.url, '--name', 'orphan'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    agent.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(agent, 'exit');
    try {
      // The orchestrator's side by hand: a plan key that nobody refreshes, as after a SIGKILL.
      const popped = await client.blpop(AGENTS_LIST, 30);
      assert.ok(popped, `no registration: ${stderr}`);
      const info = JSON.parse(popped[1]) as AgentInfo;
      const planAlive = 'pollbench:plan:dead:alive';
      await client.set(planAlive, '1', 'PX', 1500);
      const send = (m: ToAgent) => client.rpush(inboxKey(info.id), JSON.stringify(m));
      await send({ type: 'claim', replyTo: 'claims', planAlive });
      assert.ok(await client.blpop('claims', 10));
      await send({ type: 'start', session: 's1', clock: { host: responder.host, port: responder.port, exchanges: 5 } });
      const started = JSON.parse((await client.blpop(outboxKey(info.id, 's1'), 10))![1]) as FromAgent;
      assert.equal(started.type, 'started');
      const loadPid = (started as Extract<FromAgent, { type: 'started' }>).pid;
      // Bounded: the key expires after 1.5 s and the agent looks every second.
      const again = await client.blpop(AGENTS_LIST, 15);
      assert.ok(again, `not registered again: ${stderr}`);
      assert.equal(JSON.parse(again[1]).id, info.id);
      assert.equal(alive(loadPid), false, `load process ${loadPid} outlived its plan`);
      agent.kill('SIGTERM');
      assert.equal((await exited)[0], 0, stderr);
    } finally {
      agent.kill('SIGKILL');
      client.disconnect();
      await responder.close();
      await redis.stop();
    }
  },
);
