/**
 * The command-line options of load agents (bench/agent/): `--agents K` runs each job's load on load
 * agents (npm run agent) reached through a broker the plan starts, `--netns-agents K` makes K network
 * namespaces as hosts with an agent in each (as root), `--listen` is where the servers, that broker
 * and the clock responder listen, so agents on other hosts can reach them.
 */
import { isIP } from 'node:net';
import { expandScenario } from './matrix.ts';
import { addsNothing } from './network/profiles.ts';
import type { Scenario } from './scenarios/schema.ts';

export class AgentOptionError extends Error {}

export const AGENT_OPTIONS = {
  agents: { type: 'string' },
  'agents-wait': { type: 'string' },
  'netns-agents': { type: 'string' },
  listen: { type: 'string' },
} as const;

type AgentOptionValues = Partial<Record<keyof typeof AGENT_OPTIONS, string | boolean>>;

const MAX_AGENTS = 64;

export const AGENT_USAGE = `  --agents <K>           run the load on K load agents (npm run agent -- --broker <url>, on any host)
                         instead of local processes: the plan starts a broker, prints its URL and
                         waits for them; each run uses one agent, in turn
  --agents-wait <s>      how long to wait for the agents to register (default 60)
  --listen <address>     where servers, the agents' broker and the clock responder listen (default
                         127.0.0.1); agents on other hosts need an address they reach
  --netns-agents <K>     as root: K network namespaces as hosts, a veth pair and an agent in each
                         (implies --agents K), all removed afterwards`;

export interface AgentHostOptions {
  /** How many agents the plan waits for. */
  count: number;
  /** Make the hosts: that many network namespaces, each with an agent. */
  netns: boolean;
  waitMs: number;
  /** Where servers, the broker and the clock responder listen (absent: 127.0.0.1, or the first namespace's host address). */
  listen?: string;
}

function whole(name: string, raw: string | boolean | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw new AgentOptionError(`--${name} must be a whole number from 1 to ${max}, got "${String(raw)}"`);
  return Number(raw);
}

/** The options, checked against the scenario (agents connect to the server itself); undefined when none is given. */
export function agentHostOptions(values: AgentOptionValues, scenario: Scenario): AgentHostOptions | undefined {
  const agents = whole('agents', values.agents, MAX_AGENTS);
  const netns = whole('netns-agents', values['netns-agents'], MAX_AGENTS);
  const waitS = whole('agents-wait', values['agents-wait'], 3600);
  const listen = values.listen;
  if (agents === undefined && netns === undefined) {
    if (waitS !== undefined || listen !== undefined)
      throw new AgentOptionError('--agents-wait and --listen go with --agents or --netns-agents');
    return undefined;
  }
  if (agents !== undefined && netns !== undefined)
    throw new AgentOptionError('--agents and --netns-agents: give one (--netns-agents K starts its own K agents)');
  if (listen !== undefined && (typeof listen !== 'string' || isIP(listen) === 0))
    throw new AgentOptionError(`--listen must be an IP address, got "${String(listen)}"`);
  if (listen !== undefined && netns !== undefined)
    throw new AgentOptionError("--listen and --netns-agents: the namespaces' run listens on its own veth address");
  // The path's emulator and proxy listen on loopback, and the plan's certificate names loopback.
  const pathJob = expandScenario(scenario).find(
    (j) => !addsNothing(j.params.network) || j.params.tls || j.params.proxy !== 'none',
  );
  if (pathJob)
    throw new AgentOptionError(
      `load agents connect straight to the server: drop the network, TLS and proxy options (job ${pathJob.id})`,
    );
  return {
    count: (agents ?? netns)!,
    netns: netns !== undefined,
    waitMs: (waitS ?? 60) * 1000,
    ...(listen !== undefined ? { listen } : {}),
  };
}
