/**
 * One run's load process on a load agent (agent.ts), driven through the broker with the same methods
 * the orchestrator uses on a local one (ManagedChild<ToLoad, FromLoad>): send, onMessage, waitFor,
 * stop, name, pid. Every wait is bounded, and fails with the process's last words when it exits, when
 * the session cannot start, or when the agent stops refreshing its alive key.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AgentClock, FromLoad, ToLoad } from '../load/ipc.ts';
import { connectRedis, ListReader } from './redis-link.ts';
import { aliveKey, inboxKey, outboxKey, type AgentInfo, type FromAgent, type ToAgent } from './protocol.ts';
import { waitForMessage } from '../message-wait.ts';

export class RemoteExitedError extends Error {}

/** Where the agent measures its clock offset, and with how many exchanges. */
export interface ClockSource {
  host: string;
  port: number;
  exchanges: number;
}

export class RemoteLoad {
  readonly name: string;
  /** The load process's pid on the agent's host (undefined until it started). */
  pid: number | undefined;
  /** The agent's clock offset for this run (undefined until it started). */
  clock: AgentClock | undefined;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private readonly session = randomUUID();
  private readonly inbox: FromLoad[] = [];
  private readonly listeners = new Set<(m: FromLoad) => void>();
  private exitInfo: { code: number | null; signal: string | null } | undefined;
  private last = 'no output';
  private markExited!: (info: { code: number | null; signal: string | null }) => void;
  private readonly reader: Promise<ListReader<FromAgent> | null>;

  constructor(
    private readonly redis: Redis,
    url: string,
    readonly agent: AgentInfo,
    clock: ClockSource,
  ) {
    this.name = `load agent ${agent.name}`;
    this.exited = new Promise((resolve) => {
      this.markExited = (info) => {
        if (this.exitInfo) return;
        this.exitInfo = info;
        resolve(info);
      };
    });
    this.reader = connectRedis(url).then(
      (blocking) =>
        new ListReader<FromAgent>(
          blocking,
          outboxKey(agent.id, this.session),
          (m) => this.onAgent(m),
          async () => {
            if (!(await redis.exists(aliveKey(agent.id)).catch(() => 0)))
              this.exit(null, null, `agent ${agent.name} stopped answering`);
          },
          (err) => this.exit(null, null, `lost the broker: ${err.message}`),
        ),
      (err: Error) => {
        this.exit(null, null, err.message);
        return null;
      },
    );
    this.post({ type: 'start', session: this.session, clock });
  }

  private post(message: ToAgent): void {
    this.redis.rpush(inboxKey(this.agent.id), JSON.stringify(message)).catch((err: Error) => {
      this.exit(null, null, `lost the broker: ${err.message}`);
    });
  }

  private exit(code: number | null, signal: string | null, lastWords: string): void {
    if (this.exitInfo) return;
    this.last = lastWords;
    this.markExited({ code, signal });
  }

  private onAgent(m: FromAgent): void {
    if (m.type === 'started') {
      this.pid = m.pid;
      this.clock = m.clock;
    } else if (m.type === 'load') {
      this.inbox.push(m.message);
      for (const listener of this.listeners) listener(m.message);
    } else if (m.type === 'exited') this.exit(m.code, m.signal, m.lastWords);
    else this.exit(null, null, m.message);
  }

  send(message: ToLoad): void {
    if (!this.exitInfo) this.post({ type: 'load', session: this.session, message });
  }

  onMessage(listener: (m: FromLoad) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lastWords(): string {
    const fatal = this.inbox.find((m) => m.type === 'fatal');
    return fatal?.message ?? this.last;
  }

  /** Waits for the first message of `type` (already received or future), bounded by `timeoutMs`. */
  waitFor<T extends FromLoad['type']>(
    type: T,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Extract<FromLoad, { type: T }>> {
    const source = {
      name: this.name,
      inbox: this.inbox,
      onMessage: (listener: (m: FromLoad) => void) => this.onMessage(listener),
      exited: this.exited,
      lastWords: () => this.lastWords(),
    };
    return waitForMessage(source, type, timeoutMs, signal, RemoteExitedError);
  }

  /**
   * Asks the agent to stop the process (its SIGTERM, then SIGKILL after its grace) and waits for it to
   * say the process has exited, at most `graceMs` more than the agent's own grace; then lets go of the
   * session's list.
   */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.exitInfo) {
      this.post({ type: 'stop', session: this.session });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs + 5000)))]);
      clearTimeout(timer);
      this.exit(null, null, `agent ${this.agent.name} did not confirm the stop`);
    }
    await (await this.reader)?.close();
    await this.redis.del(outboxKey(this.agent.id, this.session)).catch(() => {});
  }
}
