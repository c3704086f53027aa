/**
 * Child processes of the orchestrator (servers, load generators, the publisher): started from the
 * plan's bundle (child-bundle.ts) or with tsx, pinned to a core with taskset when available, driven
 * over IPC. Every wait is bounded and fails with the
 * child's own last words (stderr tail) if the child dies first. Every child is registered so that
 * Ctrl-C or a crash stops them all: SIGTERM first, SIGKILL after a grace period, always awaited.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { childEntryArgs } from './child-bundle.ts';
import { waitForMessage } from './message-wait.ts';

const STDERR_TAIL_BYTES = 4096;
const live = new Set<{ name: string; pid: number | undefined; stop(graceMs?: number): Promise<void> }>();

export interface Pinning {
  available: boolean;
  serverCpus: string | null;
  loadCpus: string | null;
  note: string;
}

/** Server on core 0, load on the other cores, when taskset works and there are two cores to split. */
export function detectPinning(): Pinning {
  const cpus = os.availableParallelism();
  if (cpus < 2)
    return { available: false, serverCpus: null, loadCpus: null, note: `only ${cpus} CPU: server and load share it` };
  const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  if (probe.status !== 0)
    return { available: false, serverCpus: null, loadCpus: null, note: 'taskset unavailable: processes not pinned' };
  // The harness gets every core the server does not: several load processes spread over them.
  const load = cpus === 2 ? '1' : `1-${cpus - 1}`;
  return {
    available: true,
    serverCpus: '0',
    loadCpus: load,
    note:
      cpus === 2
        ? 'taskset -c: server on one core; load generator and publisher (the harness) on the other'
        : `taskset -c: server on core 0; load generator and publisher (the harness) on cores ${load}`,
  };
}

export class ChildExitedError extends Error {}

export class ManagedChild<In, Out extends { type: string }> {
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private readonly inbox: Out[] = [];
  private readonly listeners = new Set<(m: Out) => void>();
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly name: string,
    script: string,
    args: string[],
    cpus: string | null,
    nodeFlags: string[] = [],
  ) {
    const path = fileURLToPath(new URL(script, import.meta.url));
    const nodeArgs = [...nodeFlags, ...childEntryArgs(path), ...args];
    const [command, argv] =
      cpus === null ? [process.execPath, nodeArgs] : ['taskset', ['-c', cpus, process.execPath, ...nodeArgs]];
    this.process = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_TAIL_BYTES);
    });
    this.process.on('message', (message: Out) => {
      this.inbox.push(message);
      for (const listener of this.listeners) listener(message);
    });
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        resolve({ code, signal });
      });
      this.process.once('error', (err) => {
        this.stderr += `\n${err.message}`;
        this.exitInfo = { code: null, signal: null };
        live.delete(this);
        resolve({ code: null, signal: null });
      });
    });
    live.add(this);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  send(message: In): void {
    if (this.process.connected) this.process.send(message as object);
  }

  /** Listens to every message (progress). Returns the unsubscribe function. */
  onMessage(listener: (m: Out) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last words of a child that failed, for error messages. */
  lastWords(): string {
    const fatal = this.inbox.find((m) => m.type === 'fatal') as { message?: string } | undefined;
    const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
    return fatal?.message ?? (tail || 'no output');
  }

  /** Waits for the first message of `type` (already received or future), bounded by `timeoutMs`. */
  waitFor<T extends Out['type']>(type: T, timeoutMs: number, signal?: AbortSignal): Promise<Extract<Out, { type: T }>> {
    const source = {
      name: this.name,
      inbox: this.inbox,
      onMessage: (listener: (m: Out) => void) => this.onMessage(listener),
      exited: this.exited,
      lastWords: () => this.lastWords(),
    };
    return waitForMessage(source, type, timeoutMs, signal, ChildExitedError);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exitInfo) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Registers a process the harness started without ManagedChild (nginx in front of the server), so
 * stopAllChildren() stops it too. Returns the unregister function, called once it has exited.
 */
export function registerLive(entry: { name: string; pid: number; stop(): Promise<void> }): () => void {
  live.add(entry);
  return () => live.delete(entry);
}

/** Stops every child still running (Ctrl-C, crash); each gets `graceMs` after SIGTERM before SIGKILL. */
export async function stopAllChildren(graceMs?: number): Promise<void> {
  await Promise.all([...live].map((c) => c.stop(graceMs)));
}

export function liveChildPids(): number[] {
  return liveChildren().map((c) => c.pid);
}

/** Running children by role ('server', 'load generator'), for tests that crash one on purpose. */
export function liveChildren(): { name: string; pid: number }[] {
  return [...live].flatMap((c) => (c.pid === undefined ? [] : [{ name: c.name, pid: c.pid }]));
}
