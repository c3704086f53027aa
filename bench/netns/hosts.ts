/**
 * Network namespaces as load hosts (--netns-agents K, and the agent tests): as root, one namespace per
 * agent (pb-<pid>-<i>) with lo up and a veth pair to the host on a /30 the run picks (subnets.ts), and
 * a default route through the host's end, so every namespace reaches the first pair's host address,
 * where the servers, the broker and the clock responder listen. Agents run inside with
 * `ip netns exec` (which execs: the pid is node's own) and are stopped by that pid.
 *
 * Teardown deletes what was created, newest first (deleting a veth end deletes its pair), also when
 * creating failed half-way, and at process exit if nobody called it (a second Ctrl-C exits at once).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { registerLive } from '../child.ts';
import { spawnDaemon, type Spawned } from '../daemon.ts';
import { pickSubnets, prefixesIn, type Subnet } from './subnets.ts';

/** Not root, or no `ip`: the CLI prints the message alone and exits 2. */
export class NetnsUnavailableError extends Error {}

export interface NetnsHost extends Subnet {
  ns: string;
  hostIf: string;
  nsIf: string;
}

export interface NetnsAgent {
  pid: number;
  host: NetnsHost;
  /** The tail of what it printed (stderr), for the line that says why it died. */
  output(): string;
  exited: Spawned['exited'];
  stop(): Promise<void>;
}

export interface NetnsHosts {
  hosts: readonly NetnsHost[];
  /** The first pair's host address: every namespace reaches it. */
  listenHost: string;
  /** Starts `npm run agent`'s command inside namespace `index`, named after it. */
  startAgent(index: number, brokerUrl: string): NetnsAgent;
  /** Stops the agents started here (by pid), then deletes the veths and namespaces. */
  teardown(): Promise<void>;
}

const AGENT_SCRIPT = fileURLToPath(new URL('../commands/agent.ts', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');
const AGENT_STOP_GRACE_MS = 8000;

function ip(args: string[]): string {
  const out = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (out.error) throw new NetnsUnavailableError(`network namespaces need iproute2's ip: ${out.error.message}`);
  if (out.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(out.stderr || out.stdout).trim()}`);
  return out.stdout;
}

/** Why this process cannot make namespaces here, or null. */
export function netnsProblem(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces as hosts need root (ip netns add); run as root';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5000 });
  if (probe.error || probe.status !== 0)
    return `network namespaces as hosts need iproute2's "ip netns" (${probe.error?.message ?? probe.stderr.trim()})`;
  return null;
}

export function createNetnsHosts(count: number): NetnsHosts {
  const problem = netnsProblem();
  if (problem) throw new NetnsUnavailableError(problem);
  // Undo steps, newest last; run in reverse.
  const undo: string[][] = [];
  const agents = new Set<NetnsAgent>();
  const removeAll = () => {
    for (const step of undo.splice(0).reverse()) spawnSync('ip', step, { stdio: 'ignore', timeout: 10_000 });
  };
  process.once('exit', removeAll);
  const hosts: NetnsHost[] = [];
  try {
    const taken = prefixesIn(ip(['-4', '-o', 'route', 'show', 'table', 'all']) + ip(['-4', '-o', 'addr', 'show']));
    const subnets = pickSubnets(taken, count, process.pid);
    for (const [i, subnet] of subnets.entries()) {
      // Interface names hold at most 15 characters: "pb" + pid (at most 7 digits) + h/n + index.
      const host: NetnsHost = {
        ...subnet,
        ns: `pb-${process.pid}-${i}`,
        hostIf: `pb${process.pid}h${i}`,
        nsIf: `pb${process.pid}n${i}`,
      };
      ip(['netns', 'add', host.ns]);
      undo.push(['netns', 'del', host.ns]);
      ip(['link', 'add', host.hostIf, 'type', 'veth', 'peer', 'name', host.nsIf]);
      undo.push(['link', 'del', host.hostIf]);
      ip(['link', 'set', host.nsIf, 'netns', host.ns]);
      ip(['addr', 'add', `${host.hostAddr}/30`, 'dev', host.hostIf]);
      ip(['link', 'set', host.hostIf, 'up']);
      ip(['-n', host.ns, 'addr', 'add', `${host.nsAddr}/30`, 'dev', host.nsIf]);
      ip(['-n', host.ns, 'link', 'set', host.nsIf, 'up']);
      ip(['-n', host.ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', host.ns, 'route', 'add', 'default', 'via', host.hostAddr]);
      hosts.push(host);
    }
  } catch (err) {
    removeAll();
    process.removeListener('exit', removeAll);
    throw err;
  }

  const startAgent = (index: number, brokerUrl: string): NetnsAgent => {
    const host = hosts[index];
    if (!host) throw new Error(`no namespace ${index} (${hosts.length} created)`);
    const daemon = spawnDaemon(
      'ip',
      [
        'netns',
        'exec',
        host.ns,
        process.execPath,
        '--import',
        TSX_LOADER,
        AGENT_SCRIPT,
        '--broker',
        brokerUrl,
        '--name',
        host.ns,
      ],
      null,
    );
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        daemon.kill('SIGTERM');
        const timer = setTimeout(() => daemon.kill('SIGKILL'), AGENT_STOP_GRACE_MS);
        await daemon.exited;
        clearTimeout(timer);
        unregister();
        agents.delete(agent);
      })());
    const unregister = registerLive({ name: `load agent ${host.ns}`, pid: daemon.pid, stop });
    const agent: NetnsAgent = { pid: daemon.pid, host, output: daemon.stderr, exited: daemon.exited, stop };
    agents.add(agent);
    return agent;
  };

  return {
    hosts,
    listenHost: hosts[0]!.hostAddr,
    startAgent,
    async teardown() {
      await Promise.all([...agents].map((a) => a.stop()));
      removeAll();
      process.removeListener('exit', removeAll);
    },
  };
}
