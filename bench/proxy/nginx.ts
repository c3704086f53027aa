/**
 * nginx in front of the server (--proxy nginx): finds Debian's nginx, writes a per-run configuration
 * (nginx-config.ts) into a fresh temp dir, starts it on a free 127.0.0.1 port, waits until it proxies,
 * and stops it (registered with bench/child.ts so Ctrl-C stops it too). Nothing touches /etc or /var.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerLive } from '../child.ts';
import { findBinary, freePort, spawnDaemon, type Spawned } from '../daemon.ts';
import { renderNginxConfig } from './nginx-config.ts';
import { childPids, openFilesLimit, treeCpuUs } from './proc-cpu.ts';
import type { HttpVersion } from '../../servers/contract/wire-options.ts';

export class ProxyUnavailableError extends Error {}

export interface NginxOptions {
  upstream: { host: string; port: number };
  /**
   * The certificate and key (PEM text, as bench/tls/certificate.ts makes them; written into the run's
   * directory for nginx): nginx then terminates TLS and the upstream leg stays cleartext HTTP/1.1.
   */
  tls?: { cert: string; key: string };
  /** What clients speak to nginx (nginx-config.ts): HTTP/1.1 when absent; the upstream leg is HTTP/1.1 always. */
  http?: HttpVersion;
  /** The run's long-poll hold, or null: the poll location's read timeout is set above it. */
  longPollWaitMs: number | null;
  /** Clients the run opens: sizes worker_connections, the descriptor limit and the upstream pool. */
  maxClients: number;
  /** taskset -c <cpus> for master and worker, as bench/child.ts pins the children; null: not pinned. */
  cpus: string | null;
  /** The binary a plan already found (bench/path-tools.ts), so every run does not look it up again. */
  binary?: { path: string; version: string };
}

export interface RunningProxy {
  /** Where clients connect (127.0.0.1). */
  port: number;
  /** The master's pid. */
  pid: number;
  /** "1.22.1". */
  version: string;
  /** The configuration nginx runs with, for the result and for a human. */
  config: string;
  /** utime + stime of master and worker(s) in µs (the last reading once stopped). */
  cpuUs(): number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/** nginx binds a port we found free and closed: another process may take it first. Retries. */
const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3000;
const LOG_TAIL_LINES = 5;

/** Where nginx is looked for beyond PATH: Debian puts it in /usr/sbin, which a user's PATH may lack. */
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'];

/** The nginx binary (POLLBENCH_NGINX, else PATH, else the sbin dirs) and its version, or null. */
export function findNginx(): { path: string; version: string } | null {
  const found = findBinary('nginx', process.env['POLLBENCH_NGINX'], SBIN_DIRS);
  if (!found) return null;
  // `nginx -v` prints "nginx version: nginx/1.22.1" on stderr.
  const out = spawnSync(found, ['-v'], { encoding: 'utf8', timeout: 5000 });
  const version = /nginx\/(\S+)/.exec(`${out.stderr}${out.stdout}`)?.[1];
  return version ? { path: found, version } : null;
}

function logTail(dir: string, stderr: string): string {
  let log = '';
  try {
    log = readFileSync(path.join(dir, 'error.log'), 'utf8');
  } catch {
    // nginx died before opening it: stderr is all there is.
  }
  const lines = `${log}\n${stderr}`.trim().split('\n').filter(Boolean);
  return lines.slice(-LOG_TAIL_LINES).join(' | ') || 'no output';
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * One request through nginx to the upstream, any status: proves the worker runs and reaches the
 * server. It leaves (at most) one idle connection in nginx's upstream pool, which a client's first
 * request then reuses: the server counts one accepted connection for it.
 */
function probe(port: number, tls: boolean, h2c: boolean, timeoutMs: number): Promise<number> {
  if (h2c) return probeH2c(port, timeoutMs);
  return new Promise((resolve, reject) => {
    const get = tls ? https.get : http.get;
    const req = get(
      // The certificate is the run's own; only reachability is checked here.
      { host: HOST, port, path: '/', agent: false, rejectUnauthorized: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', reject);
  });
}

/**
 * The probe on a cleartext HTTP/2 listener, which speaks only h2c by prior knowledge (nginx 1.22 does
 * not detect HTTP/1.1 there). Over TLS an http2 listener still offers http/1.1 by ALPN, so probe()'s
 * https.get reaches it as it is.
 */
function probeH2c(port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${HOST}:${port}`);
    const fail = (err: Error) => {
      session.destroy();
      reject(err);
    };
    session.once('error', fail);
    session.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    const req = session.request({ ':path': '/' });
    let status = 0;
    req.once('response', (headers) => (status = Number(headers[':status'])));
    req.once('error', fail);
    req.resume();
    req.once('end', () => {
      session.close();
      resolve(status);
    });
  });
}

function spawnNginx(binary: string, dir: string, cpus: string | null): Spawned {
  const args = ['-p', `${dir}/`, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')];
  return spawnDaemon(binary, args, cpus);
}

/** Waits until nginx accepts and proxies, bounded; 'exited' if it died first (the caller reads why). */
async function waitReady(nginx: Spawned, port: number, tls: boolean, h2c: boolean): Promise<'ready' | 'exited'> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await tryConnect(port))) {
    if (nginx.hasExited()) return 'exited';
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${HOST}:${port} within ${READY_TIMEOUT_MS} ms`);
    await sleep(20);
  }
  if (nginx.hasExited()) return 'exited';
  await probe(port, tls, h2c, Math.max(1000, deadline - Date.now()));
  return 'ready';
}

/**
 * Why the worker cannot hold every client, or null. worker_rlimit_nofile asks for enough descriptors,
 * but an unprivileged nginx (or a container without CAP_SYS_RESOURCE) cannot raise the hard limit and
 * only logs an alert; clients would then fail at accept and the run would blame the transport.
 */
function fileLimitShortfall(workers: Iterable<number>, maxClients: number): string | null {
  // Two per client (client side, upstream side) and the listener, the logs, the channel to the master.
  const need = 2 * maxClients + 16;
  for (const worker of workers) {
    const limit = openFilesLimit(worker);
    if (limit !== null && limit < need)
      return `nginx may open only ${limit} files but ${maxClients} clients need ${need} (two per client): raise the hard limit (ulimit -Hn) or run fewer clients`;
  }
  return null;
}

/** Sends `signal` to every pid still there (workers outlive a SIGKILLed master). */
function signalAll(pids: Iterable<number>, signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Whether a process with this pid exists (signal 0 delivers nothing). */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function startNginx(o: NginxOptions): Promise<RunningProxy> {
  const found = o.binary ?? findNginx();
  if (!found)
    throw new ProxyUnavailableError('nginx is not installed: apt-get install nginx (Debian) — or run without --proxy');
  let lastFailure = '';
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pollbench-nginx-'));
    // As root nginx's worker runs as nobody and must reach the temp paths nginx creates in here.
    chmodSync(dir, 0o755);
    const port = await freePort(HOST);
    let config: string;
    try {
      const { tls, ...rest } = o;
      let tlsFiles: { cert: string; key: string } | undefined;
      if (tls) {
        tlsFiles = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
        writeFileSync(tlsFiles.cert, tls.cert);
        writeFileSync(tlsFiles.key, tls.key, { mode: 0o600 });
      }
      config = renderNginxConfig({ dir, listenPort: port, ...rest, ...(tlsFiles ? { tls: tlsFiles } : {}) });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    writeFileSync(path.join(dir, 'nginx.conf'), config);
    const nginx = spawnNginx(found.path, dir, o.cpus);
    const workers = new Set<number>();
    let lastCpuUs = 0;
    const cpuUs = () => {
      if (!nginx.hasExited()) {
        for (const w of childPids(nginx.pid)) workers.add(w);
        lastCpuUs = treeCpuUs(nginx.pid);
      }
      return lastCpuUs;
    };
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        cpuUs(); // the final reading, and the workers to make sure of
        // SIGTERM is nginx's fast shutdown; SIGQUIT (graceful) would wait for every open SSE or
        // WebSocket stream to end, which it never does by itself.
        nginx.kill('SIGTERM');
        const timer = setTimeout(() => {
          nginx.kill('SIGKILL');
          signalAll(workers, 'SIGKILL');
        }, STOP_GRACE_MS);
        await nginx.exited;
        clearTimeout(timer);
        // The master reaps its workers before it exits; a SIGKILLed master does not.
        const deadline = Date.now() + STOP_GRACE_MS;
        while ([...workers].some(alive) && Date.now() < deadline) await sleep(20);
        signalAll([...workers].filter(alive), 'SIGKILL');
        unregister();
        rmSync(dir, { recursive: true, force: true });
      })());
    const unregister = registerLive({ name: 'nginx', pid: nginx.pid, stop });

    let outcome: 'ready' | 'exited';
    try {
      outcome = await waitReady(nginx, port, o.tls !== undefined, o.http === '2' && o.tls === undefined);
    } catch (err) {
      const why = `${(err as Error).message} (${logTail(dir, nginx.stderr())})`;
      await stop();
      throw new Error(`nginx failed to start: ${why}`, { cause: err });
    }
    if (outcome === 'ready') {
      cpuUs(); // learn the worker's pid while it is surely there
      const short = fileLimitShortfall(workers, o.maxClients);
      if (short) {
        await stop();
        throw new Error(short);
      }
      return { port, pid: nginx.pid, version: found.version, config, cpuUs, stop };
    }
    const { code, signal } = await nginx.exited;
    lastFailure = `nginx exited (code ${code}, signal ${signal}): ${logTail(dir, nginx.stderr())}`;
    await stop();
    if (!/Address already in use/.test(lastFailure)) throw new Error(lastFailure);
  }
  throw new Error(`${lastFailure} (after ${START_ATTEMPTS} ports)`);
}
