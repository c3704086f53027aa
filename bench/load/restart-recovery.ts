/**
 * The clients' side of a server restart (workload `restart`, issue 12): at the middle of the window
 * the load generator asks the orchestrator to kill the server and start it again on the same port
 * (bench/restart.ts), and records when the server first answered each client again (ClientOptions.
 * onAnswered: a WebSocket opened, an SSE stream's headers, a poll's answer; not a TCP connect, which an
 * emulated path or a proxy in front accepts while the server is down). Only an answer to a request sent
 * (or a connection attempt begun) after the kill is the new server's: the old one may have written an
 * answer just before the SIGKILL that the client reads after it. Connection attempts that fail
 * while the server is down are the workload, not client errors: they are counted apart.
 */
import type { TransportClient } from '../clients/types.ts';

/** The restart as the orchestrator made it: both stamps nowNs() on the shared monotonic clock. */
export interface ServerRestart {
  /** Just before the SIGKILL. */
  killedNs: bigint;
  /** The new server process listening on the port (its own stamp, before it said ready). */
  listeningNs: bigint;
}

export interface RestartReport {
  /** From the kill to the new server listening, ms. */
  downMs: number;
  /** Clients connected before the restart (the measured ones). */
  clientsBefore: number;
  /** Of those, the clients the server answered after the kill by the end of the drain. */
  clientsBack: number;
  /**
   * Per client back: from the new server listening (just before its listen()) to the client reading
   * its first answer to a request sent after the kill, ms (exact nearest-rank percentiles of the
   * clientsBack values; never negative: an answer read before listeningNs is not counted).
   */
  recoveryMs: { p50: number; p95: number; max: number };
  /** The clientsBack values themselves, so several load processes' reports merge exactly. */
  recoveriesMs: number[];
  /** Client errors counted from the restart request to the new server's ready: refused attempts while down. */
  failedAttempts: number;
}

export class RestartRecovery {
  /**
   * Per client, while the restart is under way (its kill stamp not yet known): every answer to a
   * request sent since the ask, as [read, sent]. Bounded by the restart's own span (down time and
   * start-up), when the server mostly answers nobody.
   */
  private readonly pending: (readonly [bigint, bigint])[][] = [];
  /** Per client, once the restart is known: when it read its first answer from the new server. */
  private readonly back: (bigint | undefined)[] = [];
  private askedNs: bigint | undefined;
  private restart: ServerRestart | undefined;
  private errorsAtAsk = 0;
  private failedAttempts = 0;

  /** `clients` may still be filling: it is read at report(). */
  constructor(private readonly clients: readonly TransportClient[]) {}

  /** ClientOptions.onAnswered of client `index`: read at `atNs`, its request sent at `sentNs`. */
  answered(index: number, atNs: bigint, sentNs: bigint): void {
    if (this.askedNs === undefined || sentNs < this.askedNs || this.back[index] !== undefined) return;
    if (this.restart) {
      if (this.newServers(atNs, sentNs, this.restart)) this.back[index] = atNs;
    } else (this.pending[index] ??= []).push([atNs, sentNs]);
  }

  /**
   * The new server's answer: to a request sent after the kill (the old one could not have seen it),
   * and, a second guard, read once the new one listened.
   */
  private newServers(atNs: bigint, sentNs: bigint, restart: ServerRestart): boolean {
    return sentNs > restart.killedNs && atNs >= restart.listeningNs;
  }

  /** Asks for the restart (through `restartServer`) and waits until the new server is ready. */
  async run(now: () => bigint, errors: () => number, restartServer: () => Promise<ServerRestart>): Promise<void> {
    this.askedNs = now();
    this.errorsAtAsk = errors();
    const restart = await restartServer();
    this.restart = restart;
    this.failedAttempts = errors() - this.errorsAtAsk;
    // The answers read meanwhile: each client's first from the new server (they arrive in read order).
    this.pending.forEach((list, i) => {
      this.back[i] = list.find(([at, sent]) => this.newServers(at, sent, restart))?.[0];
    });
    this.pending.length = 0;
  }

  /** Errors to leave out of the run's client errors: those of the down time. */
  get downErrors(): number {
    return this.failedAttempts;
  }

  report(measured: readonly boolean[]): RestartReport | undefined {
    const restart = this.restart;
    if (!restart) return undefined;
    const recoveries: number[] = [];
    let before = 0;
    this.clients.forEach((_, i) => {
      if (!measured[i]) return;
      before++;
      const back = this.back[i];
      if (back !== undefined) recoveries.push(Number(back - restart.listeningNs) / 1e6);
    });
    return {
      downMs: Number(restart.listeningNs - restart.killedNs) / 1e6,
      clientsBefore: before,
      clientsBack: recoveries.length,
      recoveryMs: recoveryPercentiles(recoveries),
      recoveriesMs: recoveries,
      failedAttempts: this.failedAttempts,
    };
  }
}

/** Exact nearest-rank p50, p95 and max of recovery times (ms); zeros for none. */
export function recoveryPercentiles(values: readonly number[]): RestartReport['recoveryMs'] {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return { p50: rank(50), p95: rank(95), max: sorted.at(-1) ?? 0 };
}
