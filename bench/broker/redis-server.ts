/**
 * Debian's redis-server as the broker (--broker redis): found on PATH or in /usr/bin, started on a
 * free port with no persistence (no RDB snapshots, no AOF: a benchmark's stream must not be written to
 * disk behind the measurement's back), waited for until it answers PING, and stopped like nginx
 * (registered with bench/child.ts, so Ctrl-C and a crash stop it too; setpriv's parent-death signal
 * for a SIGKILLed orchestrator). Its configuration and version go into the result.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerLive } from '../child.ts';
import { findBinary, freePort, spawnDaemon } from '../daemon.ts';
import { treeCpuUs } from '../proxy/proc-cpu.ts';

/** The broker is not installed: the CLI prints the message alone and exits 2. */
export class BrokerUnavailableError extends Error {}

export const REDIS_INSTALL_HINT = 'redis-server is not installed: apt-get install redis-server (Debian)';

export interface RedisServerOptions {
  /** Address it binds (default 127.0.0.1); a namespace run binds the host's end of its veth too. */
  host?: string;
  /** taskset -c <cpus>, as the other children are pinned; null: not pinned. */
  cpus: string | null;
  /** The binary a plan already found, so every run does not look it up again. */
  binary?: { path: string; version: string };
}

export interface RunningRedis {
  host: string;
  port: number;
  /** redis://host:port, what the publisher, servers and agents connect to. */
  url: string;
  pid: number;
  /** "7.0.15". */
  version: string;
  /** The command-line configuration it runs with (for the result and a human). */
  args: string[];
  /** utime + stime of the process in µs (the last reading once stopped). */
  cpuUs(): number;
  /** Resident memory in bytes (/proc/<pid>/status VmRSS), null once stopped. */
  rssBytes(): number | null;
  stop(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
/** redis binds a port we found free and closed: another process may take it first. Retries. */
const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3000;

/** Where redis-server is looked for beyond PATH: a user's PATH may lack /usr/bin's neighbours. */
const EXTRA_DIRS = ['/usr/bin', '/usr/local/bin', '/usr/sbin'];

/** The redis-server binary (POLLBENCH_REDIS_SERVER, else PATH, else the usual dirs) and its version, or null. */
export function findRedisServer(): { path: string; version: string } | null {
  const found = findBinary('redis-server', process.env['POLLBENCH_REDIS_SERVER'], EXTRA_DIRS);
  if (!found) return null;
  // "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=..."
  const out = spawnSync(found, ['--version'], { encoding: 'utf8', timeout: 5000 });
  const version = /v=(\S+)/.exec(out.stdout ?? '')?.[1];
  return version ? { path: found, version } : null;
}

/** The arguments redis-server runs with: in memory only, on one address, no background saving. */
export function redisArgs(host: string, port: number): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    host,
    // Loopback or the run's own namespaces only; no password to configure on either end.
    '--protected-mode',
    'no',
    '--save',
    '',
    '--appendonly',
    'no',
    // Logs to stdout, which the harness keeps the tail of for the line that says why it died.
    '--logfile',
    '',
    '--daemonize',
    'no',
    // Enough for a capacity run's agents and server processes, far below the descriptor limit.
    '--maxclients',
    '1000',
  ];
}

/** One PING over a raw socket: true on +PONG (no client library needed to know it is up). */
function ping(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

function rssOf(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    const kib = Number(line?.split(/\s+/)[1]);
    return Number.isFinite(kib) ? kib * 1024 : null;
  } catch {
    return null;
  }
}

export async function startRedisServer(o: RedisServerOptions): Promise<RunningRedis> {
  const found = o.binary ?? findRedisServer();
  if (!found) throw new BrokerUnavailableError(REDIS_INSTALL_HINT);
  const host = o.host ?? DEFAULT_HOST;
  let lastFailure = '';
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await freePort(host);
    const args = redisArgs(host, port);
    const redis = spawnDaemon(found.path, args, o.cpus);
    let lastCpuUs = 0;
    const cpuUs = () => {
      if (!redis.hasExited()) lastCpuUs = treeCpuUs(redis.pid);
      return lastCpuUs;
    };
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        cpuUs();
        // SIGTERM: redis exits at once (nothing to save with persistence off).
        redis.kill('SIGTERM');
        const timer = setTimeout(() => redis.kill('SIGKILL'), STOP_GRACE_MS);
        await redis.exited;
        clearTimeout(timer);
        unregister();
      })());
    const unregister = registerLive({ name: 'redis-server', pid: redis.pid, stop });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!redis.hasExited() && !(await ping(host, port)) && Date.now() < deadline) await sleep(20);
    if (!redis.hasExited() && Date.now() <= deadline + 1000) {
      return {
        host,
        port,
        url: `redis://${host.includes(':') ? `[${host}]` : host}:${port}`,
        pid: redis.pid,
        version: found.version,
        args,
        cpuUs,
        rssBytes: () => (redis.hasExited() ? null : rssOf(redis.pid)),
        stop,
      };
    }
    const tail = redis.stderr().trim().split('\n').slice(-3).join(' | ') || 'no output';
    lastFailure = redis.hasExited()
      ? `redis-server exited: ${tail}`
      : `redis-server did not answer PING on ${host}:${port} within ${READY_TIMEOUT_MS} ms (${tail})`;
    await stop();
    if (!/Address already in use/i.test(lastFailure)) throw new Error(lastFailure);
  }
  throw new Error(`${lastFailure} (after ${START_ATTEMPTS} ports)`);
}
