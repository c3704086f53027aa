/**
 * What a plan with load agents needs before it starts (--agents, --netns-agents): the namespaces and
 * their agents when asked for, a redis-server for the agents on the listening address, and the K
 * agents registered and claimed (AgentPool). close() undoes all of it, also after a failure half-way.
 */
import { BrokerUnavailableError, startRedisServer, type RunningRedis } from '../broker/redis-server.ts';
import { NetnsUnavailableError, createNetnsHosts, type NetnsHosts } from '../netns/hosts.ts';
import type { AgentHostOptions } from '../agent-cli.ts';
import { AgentPool, AgentsMissingError } from './pool.ts';

export interface AgentHosts {
  pool: AgentPool;
  /** Where the plan's servers listen (PlanOptions.listenHost). */
  listenHost: string;
  brokerUrl: string;
  close(): Promise<void>;
}

export async function prepareAgentHosts(
  o: AgentHostOptions,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<AgentHosts> {
  let netns: NetnsHosts | undefined;
  let redis: RunningRedis | undefined;
  const close = async () => {
    await netns?.teardown();
    await redis?.stop();
  };
  try {
    netns = o.netns ? createNetnsHosts(o.count) : undefined;
    const listenHost = netns?.listenHost ?? o.listen ?? '127.0.0.1';
    redis = await startRedisServer({ host: listenHost, cpus: null });
    if (netns) {
      for (let i = 0; i < o.count; i++) netns.startAgent(i, redis.url);
      log(
        `${o.count} network namespaces as hosts (${netns.hosts.map((h) => `${h.ns} ${h.nsAddr}`).join(', ')}), an agent in each`,
      );
    } else
      log(
        `waiting up to ${o.waitMs / 1000} s for ${o.count} load agents; on each host run: npm run agent -- --broker ${redis.url}`,
      );
    const pool = await AgentPool.open({
      url: redis.url,
      count: o.count,
      waitMs: o.waitMs,
      clockHost: listenHost,
      signal,
    });
    log(`load agents: ${pool.agents.map((a) => `${a.name} (${a.hostname}, ${a.cpus} CPUs)`).join(', ')}`);
    return {
      pool,
      listenHost,
      brokerUrl: redis.url,
      close: async () => {
        await pool.close();
        await close();
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** For `npm run bench`: the agents ready, or the exit code 2 after one line saying why not. */
export async function agentHostsOrExit(o: AgentHostOptions, signal: AbortSignal): Promise<AgentHosts | number> {
  const log = (line: string) => process.stderr.write(`pollbench: ${line}\n`);
  try {
    const hosts = await prepareAgentHosts(o, signal, log);
    if (hosts.listenHost !== '127.0.0.1' && !o.netns)
      log(`warning: servers listen on ${hosts.listenHost}: anyone who can reach it can connect during the runs`);
    return hosts;
  } catch (err) {
    if (
      err instanceof BrokerUnavailableError ||
      err instanceof NetnsUnavailableError ||
      err instanceof AgentsMissingError
    ) {
      log(err.message);
      return 2;
    }
    throw err;
  }
}
