/**
 * What a load agent (npm run agent) and the orchestrator say to each other through the broker: Redis
 * lists of JSON messages, one per direction (an agent's inbox; one outbox per run it serves), read
 * with blocking pops. Lists, not pub/sub: a message sent before its reader is waiting is kept, and
 * each one is read exactly once.
 *
 * An agent registers by pushing its description on AGENTS_LIST and keeps ALIVE_MS fresh on its alive
 * key; the orchestrator pops registrations, checks the key, and claims each agent (the agent answers
 * on the claim's reply list), so a registration left by a dead agent is never used.
 */
import type { AgentClock, FromLoad, ToLoad } from '../load/ipc.ts';

export const AGENTS_LIST = 'pollbench:agents';
export const inboxKey = (agentId: string): string => `pollbench:agent:${agentId}:in`;
export const outboxKey = (agentId: string, session: string): string => `pollbench:agent:${agentId}:out:${session}`;
export const aliveKey = (agentId: string): string => `pollbench:agent:${agentId}:alive`;

export const planAliveKey = (planId: string): string => `pollbench:plan:${planId}:alive`;

/** How long an agent's or a plan's alive key lives; its owner refreshes it every ALIVE_MS / 4. */
export const ALIVE_MS = 4000;

export interface AgentInfo {
  id: string;
  /** --name, else the host's name. */
  name: string;
  hostname: string;
  pid: number;
  cpus: number;
}

export type ToAgent =
  /**
   * Answer with the AgentInfo on `replyTo`. `planAlive` is the claiming plan's alive key: when it
   * expires (the orchestrator died without releasing), the agent stops that plan's load processes
   * and registers again.
   */
  | { type: 'claim'; replyTo: string; planAlive: string }
  /** Measure the clock offset against the responder, then start a load process for this run. */
  | { type: 'start'; session: string; clock: { host: string; port: number; exchanges: number } }
  /** Relay to the session's load process ('run' gets the session's clock added). */
  | { type: 'load'; session: string; message: ToLoad }
  | { type: 'stop'; session: string }
  /** The plan is over: register again for the next one. */
  | { type: 'release' };

export type FromAgent =
  | { type: 'started'; pid: number; clock: AgentClock }
  | { type: 'load'; message: FromLoad }
  | { type: 'exited'; code: number | null; signal: string | null; lastWords: string }
  /** The session could not start (clock exchange or fork): nothing runs for it. */
  | { type: 'failed'; message: string };
