/**
 * Starts a daemon the harness runs beside the server (nginx in front of it, redis-server behind it):
 * pinned with taskset when asked, and under setpriv's parent-death signal, so an orchestrator that is
 * SIGKILLed leaves none behind (the Node children exit when their IPC channel closes; a daemon, which
 * has none, outlived it). Keeps the tail of what it prints, for the one line that says why it died.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface Spawned {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** The last 4 KiB the daemon printed (stdout and stderr). */
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
}

let pdeathsig: boolean | undefined;
/** Whether util-linux's setpriv can set the parent-death signal here (checked once). */
function pdeathsigWorks(): boolean {
  pdeathsig ??= spawnSync('setpriv', ['--pdeathsig', 'TERM', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0;
  return pdeathsig;
}

export function spawnDaemon(binary: string, args: readonly string[], cpus: string | null): Spawned {
  // taskset execs the daemon: the pid is its own, and its workers inherit the affinity.
  const [pinned, pinnedArgv] = cpus === null ? [binary, [...args]] : ['taskset', ['-c', cpus, binary, ...args]];
  const [command, argv] = pdeathsigWorks()
    ? ['setpriv', ['--pdeathsig', 'TERM', pinned, ...pinnedArgv]]
    : [pinned, pinnedArgv];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let done = false;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4096);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      done = true;
      output += `\n${err.message}`;
      resolve({ code: null, signal: null });
    });
  });
  if (child.pid === undefined) done = true;
  return {
    pid: child.pid ?? -1,
    exited,
    hasExited: () => done,
    stderr: () => output,
    kill: (signal) => {
      if (!done) child.kill(signal);
    },
  };
}

/** A port nothing listens on right now on `host`: bind 0, read it, close (daemons take a number). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A daemon's binary: the file `override` names when set (an environment variable, so tests and users
 * can point at another build), else `name` on PATH, else in `extraDirs` (Debian puts daemons in
 * /usr/sbin, which a user's PATH may lack); null when none is executable.
 */
export function findBinary(name: string, override: string | undefined, extraDirs: readonly string[]): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean), ...extraDirs];
  const candidates = override !== undefined && override !== '' ? [override] : dirs.map((dir) => path.join(dir, name));
  return candidates.find(executable) ?? null;
}
