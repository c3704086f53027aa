/**
 * The orchestrator's side of load agents (--agents K): waits, bounded, for K agents to register with
 * the broker, claims them, runs the clock responder they measure their offset against, and hands out
 * one RemoteLoad per run. Closing it releases the agents (they register again for the next plan).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { startClockResponder, type ClockResponder } from './clock-exchange.ts';
import { connectRedis } from './redis-link.ts';
import { AGENTS_LIST, ALIVE_MS, aliveKey, inboxKey, planAliveKey, type AgentInfo, type ToAgent } from './protocol.ts';
import { RemoteLoad } from './remote-load.ts';

/** Fewer agents than asked for came within the wait: the CLI prints the message alone and exits 2. */
export class AgentsMissingError extends Error {}

/** Round trips each agent times before a run; the smallest gives the offset (clock-offset.ts). */
const CLOCK_EXCHANGES = 50;
const CLAIM_TIMEOUT_S = 3;

export interface AgentPoolOptions {
  /** The broker, redis://HOST:PORT, as the agents reach it. */
  url: string;
  count: number;
  waitMs: number;
  /** Where the clock responder listens: an address of the publisher's host that the agents reach. */
  clockHost: string;
  signal: AbortSignal;
}

export class AgentPool {
  private constructor(
    private readonly redis: Redis,
    private readonly url: string,
    readonly agents: readonly AgentInfo[],
    private readonly responder: ClockResponder,
    private readonly heartbeat: NodeJS.Timeout,
  ) {}

  static async open(o: AgentPoolOptions): Promise<AgentPool> {
    const redis = await connectRedis(o.url);
    const agents: AgentInfo[] = [];
    let responder: ClockResponder | undefined;
    // The agents watch this key: an orchestrator that dies without releasing them frees them when it expires.
    const planAlive = planAliveKey(randomUUID());
    const alive = () => redis.set(planAlive, '1', 'PX', ALIVE_MS).catch(() => {});
    await alive();
    const heartbeat = setInterval(() => void alive(), ALIVE_MS / 4);
    try {
      const blocking = await connectRedis(o.url);
      try {
        const replyTo = `pollbench:claims:${randomUUID()}`;
        const deadline = Date.now() + o.waitMs;
        while (agents.length < o.count && Date.now() < deadline && !o.signal.aborted) {
          const popped = await blocking.blpop(AGENTS_LIST, Math.min(1, Math.max(0.01, (deadline - Date.now()) / 1000)));
          if (!popped) continue;
          const info = JSON.parse(popped[1]) as AgentInfo;
          // A registration outlives a killed agent: only a live one that answers its claim is taken.
          if (agents.some((a) => a.id === info.id) || !(await redis.exists(aliveKey(info.id)))) continue;
          const claim: ToAgent = { type: 'claim', replyTo, planAlive };
          await redis.rpush(inboxKey(info.id), JSON.stringify(claim));
          if (await blocking.blpop(replyTo, CLAIM_TIMEOUT_S)) agents.push(info);
        }
      } finally {
        blocking.disconnect();
      }
      if (o.signal.aborted) throw o.signal.reason ?? new Error('aborted');
      if (agents.length < o.count)
        throw new AgentsMissingError(
          `${agents.length} of ${o.count} load agents registered at ${o.url} within ${Math.round(o.waitMs / 1000)} s (start each with: npm run agent -- --broker ${o.url})`,
        );
      responder = await startClockResponder(o.clockHost);
      return new AgentPool(redis, o.url, agents, responder, heartbeat);
    } catch (err) {
      clearInterval(heartbeat);
      await release(redis, agents);
      redis.disconnect();
      throw err;
    }
  }

  private next = 0;

  /** A run's load process on agent `index` (default: each agent in turn); its clock offset is measured as it starts. */
  load(index = this.next++ % this.agents.length): RemoteLoad {
    const agent = this.agents[index];
    if (!agent) throw new Error(`no load agent ${index} (${this.agents.length} claimed)`);
    return new RemoteLoad(this.redis, this.url, agent, {
      host: this.responder.host,
      port: this.responder.port,
      exchanges: CLOCK_EXCHANGES,
    });
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.responder.close();
    await release(this.redis, this.agents);
    this.redis.disconnect();
  }
}

async function release(redis: Redis, agents: readonly AgentInfo[]): Promise<void> {
  const message: ToAgent = { type: 'release' };
  await Promise.allSettled(agents.map((a) => redis.rpush(inboxKey(a.id), JSON.stringify(message))));
}
