/**
 * Source addresses for a job's clients. A TCP connection is (source ip, source port, destination ip,
 * destination port); a client socket bound to a source address without a port takes one of the
 * ephemeral ports (/proc/sys/net/ipv4/ip_local_port_range, 32768-60999 here: 28,232) that no other
 * socket on that address holds. So one source address carries at most that many of a load host's
 * connections to the server, whatever the descriptors allow. Past it, clients bind to several
 * loopback addresses: Linux routes all of 127.0.0.0/8 to lo, so 127.0.0.2, 127.0.0.3, ... need no
 * setup. 127.0.0.1 stays unbound for what is not a client (the JIT prewarm, slow readers).
 *
 * Client i binds to addresses[i mod addresses.length] (run-job.ts): deterministic, the same whichever
 * load process runs it, and recorded in the run. One address means no binding: the system picks, as
 * it always did.
 */
import { readFileSync } from 'node:fs';
import { RECONNECT_SHARE } from './descriptors.ts';

/** 127.0.0.2 to 127.255.255.254. */
const LOOPBACK_SOURCES = 2 ** 24 - 3;
const FIRST_SOURCE = (127 << 24) + 2;

/** The ephemeral port range's size, or null where it cannot be read (not Linux). */
export function ephemeralPorts(file = '/proc/sys/net/ipv4/ip_local_port_range'): number | null {
  try {
    const [low, high] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && high !== undefined && high >= low ? high - low + 1 : null;
  } catch {
    return null;
  }
}

/**
 * Connections a job's clients hold toward the server at once: one each, two with upstream messages
 * (over HTTP they have a second connection; a WebSocket's go on its own, counted anyway: a bound, not
 * a count), plus one in RECONNECT_SHARE for reconnects whose old port is not free yet.
 */
export function connectionsNeeded(clients: number, upstream: boolean): number {
  const sockets = clients * (upstream ? 2 : 1);
  return sockets + Math.ceil(sockets / RECONNECT_SHARE);
}

function loopbackAddress(k: number): string {
  const n = FIRST_SOURCE + k;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const isLoopback = (host: string) => /^127\./.test(host) || host === 'localhost' || host === '::1';

export type SourcePlan = { addresses: string[] } | { problem: string };

/**
 * The source addresses `connections` toward `destination` need, with `ports` ephemeral ports per
 * address: none (an empty list: the system picks) when one address holds them; otherwise that many
 * loopback addresses, or a one-line problem when they do not exist.
 */
export function planSourceAddresses(connections: number, ports: number, destination: string): SourcePlan {
  const needed = Math.ceil(connections / ports);
  if (needed <= 1) return { addresses: [] };
  if (!isLoopback(destination))
    return {
      problem: `${connections} connections need ${needed} source addresses of ${ports} ephemeral ports each toward ${destination}, and this host has one: run fewer clients or add load hosts`,
    };
  if (needed > LOOPBACK_SOURCES)
    return {
      problem: `${connections} connections need ${needed} source addresses of ${ports} ephemeral ports each, more than 127.0.0.0/8 holds (${LOOPBACK_SOURCES}): run fewer clients`,
    };
  return { addresses: Array.from({ length: needed }, (_, k) => loopbackAddress(k)) };
}

/**
 * The plan's port check for a job: with `agents` load agents, each one's slice from its own host (its
 * own ports), with no source addresses (an agent binds none: runSourceAddresses), so it must fit one;
 * without, the whole job from this host toward the server on loopback.
 */
export function jobSourcePlan(
  params: { clients: number; upstream: unknown },
  ports: number,
  agents?: number,
): SourcePlan {
  const upstream = params.upstream !== null;
  if (agents === undefined) return planSourceAddresses(connectionsNeeded(params.clients, upstream), ports, '127.0.0.1');
  const slice = Math.ceil(params.clients / agents);
  const plan = planSourceAddresses(connectionsNeeded(slice, upstream), ports, 'the servers');
  return 'problem' in plan ? { problem: `each load agent's ${plan.problem}` } : plan;
}

/**
 * A job's source addresses on this host (toward the server on loopback); throws the plan's problem.
 * `onAgents`: the load runs on load agents, none here: no addresses (127.0.0.x of this host mean
 * nothing on an agent's, and its slice has its own host's ports).
 */
export function runSourceAddresses(params: { clients: number; upstream: unknown }, onAgents = false): string[] {
  if (onAgents) return [];
  const ports = ephemeralPorts();
  // Not Linux: no port range to read, and no 127/8 on lo to count on; the system picks, as before.
  if (ports === null) return [];
  const plan = planSourceAddresses(connectionsNeeded(params.clients, params.upstream !== null), ports, '127.0.0.1');
  if ('problem' in plan) throw new Error(plan.problem);
  return plan.addresses;
}
