/**
 * What every client shares: counters, the ledger, the lastSeq bookkeeping and a connect promise that
 * settles once. Transport files only say how to talk to their server.
 */
import { isCompressed } from '../../servers/contract/compressed.ts';
import { SocketLedger } from './socket-ledger.ts';
import { zeroCounters } from './counters.ts';
import { profileHeaders, undiciHeaders, type HeaderList, type RequestKind } from './request-headers.ts';
import { UpstreamSender, type MessageChannel } from './upstream-sender.ts';
import type { ClientCounters, ClientOptions, DropRecord, TransportName } from './types.ts';
import type { FeedEvent } from '../../servers/contract/protocol.ts';
import { nowNs } from '../../servers/contract/clock.ts';

export abstract class BaseClient {
  abstract readonly transport: TransportName;
  readonly ledger = new SocketLedger();
  connectedNs: bigint | undefined;
  /** Socket bytes when the first connection became usable: what connecting cost this client. */
  connectBytes: { up: number; down: number } | undefined;
  lastSeq: number;
  protected closed = false;
  protected readonly tally = {
    httpRequests: 0,
    httpResponses: 0,
    emptyResponses: 0,
    wsHandshakes: 0,
    messageBytesDown: 0,
    eventsReceived: 0,
    errors: 0,
    skippedPolls: 0,
    catchUpPages: 0,
    droppedAsSlow: 0,
  };
  /** Upstream messages, when options.upstream asks for them (see carryMessages). */
  private sender: UpstreamSender | undefined;
  private readonly connected: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void };

  constructor(protected readonly options: ClientOptions) {
    this.lastSeq = options.since;
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A rejection nobody awaits yet must not crash the process; start() returns this promise.
    promise.catch(() => {});
    this.connected = { promise, resolve, reject };
  }

  protected get origin(): string {
    return `${this.options.tls ? 'https' : 'http'}://${this.options.host}:${this.options.port}`;
  }

  /**
   * The header lines the request header profile puts on a request of `kind` (request-headers.ts), in
   * wire order; empty for the minimal profile (and without one), where the client sends what it always did.
   */
  protected profileHeaders(kind: RequestKind, lastEventId?: number): HeaderList {
    const chosen = this.options.requestHeaders;
    if (!chosen || chosen.profile === 'minimal') return [];
    return profileHeaders(chosen.profile, kind, {
      host: this.options.host,
      port: this.options.port,
      secure: this.options.tls !== undefined,
      http: this.options.http ?? '1.1',
      cookieBytes: chosen.cookieBytes,
      lastEventId,
      // Where deflate is offered, the profile has Chromium's Sec-WebSocket-Extensions in its place.
      perMessageDeflate: (this.options.perMessageDeflate ?? false) || isCompressed(this.options.compression),
    });
  }

  /** A poll's headers for undici (fetch()'s), or undefined for the minimal profile: undici's own only. */
  protected pollHeaders(): string[] | undefined {
    const list = this.profileHeaders('fetch');
    return list.length === 0 ? undefined : undiciHeaders(list);
  }

  /** Marks the first usable connection (idempotent); upstream messages start then. */
  protected markConnected(): void {
    if (this.connectedNs === undefined) {
      this.connectedNs = nowNs();
      this.connectBytes = this.ledger.bytes();
      this.connected.resolve();
      this.sender?.start();
    }
  }

  /**
   * The server answered: a WebSocket opened, an SSE stream's headers arrived, a poll's answer was read
   * whole. Unlike a TCP connect, only the server itself does this (an emulated path or a proxy in front
   * accepts connections while the server is down). Marks a forced drop's reconnect, tells onAnswered.
   * `sentNs`: when the request this answers was sent or its connection attempt began (nowNs()).
   */
  protected answered(sentNs: bigint): void {
    // Every answer of every run passes here: nothing to mark in a run without drops or a restart.
    if (this.drops.length === 0 && !this.options.onAnswered) return;
    const now = nowNs();
    const drop = this.drops.at(-1);
    if (drop && drop.answeredNs === undefined && drop.reconnectStartNs !== undefined) drop.answeredNs = now;
    this.options.onAnswered?.(now, sentNs);
  }

  readonly drops: DropRecord[] = [];
  /** End of the current forced drop's offline time (hrtime), or undefined. */
  private offlineUntilNs: bigint | undefined;

  drop(offlineMs: number): boolean {
    const now = nowNs();
    const last = this.drops.at(-1);
    if (this.closed || this.connectedNs === undefined || this.offlineMs(now) > 0) return false;
    // Back from the last drop means a new event since, not only the server's answer: deliver() marks
    // the latest drop's first event only, so a drop between the answer and that event would leave the
    // previous one without it, counted unrecovered although its client recovers (drops_unrecovered).
    if (last && last.firstEventNs === undefined) return false;
    this.offlineUntilNs = now + BigInt(Math.round(offlineMs * 1e6));
    this.drops.push({ droppedNs: now, onlineNs: this.offlineUntilNs });
    this.ledger.resetAll();
    return true;
  }

  /** The feed's socket bytes so far, and of those the events' own (messageBytesDown). */
  private bytesNow(): { up: number; down: number; events: number } {
    return { ...this.ledger.bytes(), events: this.tally.messageBytesDown };
  }

  /** What is left of the current forced drop's offline time, in ms (0 when online). */
  protected offlineMs(now = nowNs()): number {
    return this.offlineUntilNs === undefined || now >= this.offlineUntilNs
      ? 0
      : Number(this.offlineUntilNs - now) / 1e6;
  }

  /** The wait before re-opening a lost connection: the reconnect delay, or the rest of a forced drop's offline time. */
  protected backOffMs(): number {
    return Math.max(this.options.reconnectDelayMs ?? 100, this.offlineMs());
  }

  /**
   * Every connection attempt (or poll) calls it first: the first one after a forced drop's offline
   * time marks the reconnect's start and the socket totals then.
   */
  protected attempting(): void {
    const drop = this.drops.at(-1);
    if (drop && drop.reconnectStartNs === undefined && this.offlineMs() === 0) {
      drop.reconnectStartNs = nowNs();
      drop.bytesAtReconnect = this.bytesNow();
    }
  }

  /**
   * Sends upstream messages over the channel `make` builds, when options.upstream asks for them (the
   * channel is not even built otherwise). Returns the channel, for the transport to feed it.
   */
  protected carryMessages<C extends MessageChannel>(make: () => C): C | undefined {
    if (!this.options.upstream) return undefined;
    const channel = make();
    this.sender = new UpstreamSender(this.options.upstream, channel, () => this.tally.errors++);
    return channel;
  }

  /** Stops upstream messages (at once: no message leaves after the call) and closes their channel; every close() calls it first. */
  protected async closeMessages(): Promise<void> {
    await this.sender?.close();
  }

  /**
   * Fails start() if we never got connected; later failures are only counted, except those a forced
   * drop causes (the reset request or stream, while offline): the drop is the workload, not an error.
   */
  protected connectFailed(err: Error): void {
    if (this.offlineMs() > 0) return;
    this.tally.errors++;
    if (this.connectedNs === undefined) this.connected.reject(err);
  }

  protected waitConnected(): Promise<void> {
    return this.connected.promise;
  }

  /** Hands a batch to the load generator and advances the resume point. */
  protected deliver(events: FeedEvent[], receivedNs: bigint): void {
    const before = this.lastSeq;
    for (const e of events) {
      if (e.seq > this.lastSeq) {
        this.lastSeq = e.seq;
        this.tally.eventsReceived++;
      }
    }
    const drop = this.drops.at(-1);
    if (this.lastSeq > before && drop?.reconnectStartNs !== undefined && drop.firstEventNs === undefined) {
      drop.firstEventNs = receivedNs;
      // Read once the read that carried it has been handled whole, so that the socket bytes and the
      // event bytes cover the same events (a read holding several is delivered in the same turn).
      setImmediate(() => (drop.bytesAtFirstEvent = this.bytesNow()));
    }
    this.options.onEvents(events, receivedNs);
  }

  counters(): ClientCounters {
    const bytes = this.ledger.bytes();
    const counters: ClientCounters = {
      // Zero for whatever this client does not do (no messages up without an upstream workload).
      ...zeroCounters(),
      bytesUp: bytes.up,
      bytesDown: bytes.down,
      tcpConnects: this.ledger.tcpConnects,
      reconnects: Math.max(0, this.ledger.tcpConnects - 1),
      ...this.tally,
      ...this.ledger.tls,
      ...this.sender?.counters(),
    };
    // A messages' connection of its own (HTTP) is one more of this client's: in its totals, not in reconnects.
    const own = this.sender?.channel.ledger;
    if (own) {
      const ownBytes = own.bytes();
      counters.bytesUp += ownBytes.up;
      counters.bytesDown += ownBytes.down;
      counters.tcpConnects += own.tcpConnects;
      for (const key of Object.keys(own.tls) as (keyof SocketLedger['tls'])[]) counters[key] += own.tls[key];
    }
    return counters;
  }

  private pause: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  /** A reconnect back-off that close() can cut short (see wake). */
  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.pause = { timer: setTimeout(() => this.wake(), ms), resolve };
    });
  }

  /**
   * Runs `attempt` (one request, or one whole stream) again and again until close(). A failure is
   * counted and retried after the reconnect delay, resuming from lastSeq, so a drop loses nothing.
   */
  protected async retryLoop(attempt: () => Promise<void>): Promise<void> {
    while (!this.closed) {
      try {
        // A timer may fire a fraction of a millisecond before the hrtime it was set for.
        for (let rest = this.offlineMs(); rest > 0 && !this.closed; rest = this.offlineMs()) await this.sleep(rest + 1);
        this.attempting();
        await attempt();
      } catch (err) {
        if (this.closed) return;
        this.connectFailed(err as Error);
        await this.sleep(this.backOffMs());
      }
    }
  }

  /** Close for clients built on retryLoop over an undici Client: stop, drop sockets, await the loop. */
  protected async closeLoop(http: { destroy(): Promise<void> }, loop: Promise<void> | undefined): Promise<void> {
    this.closed = true;
    this.wake();
    await this.closeMessages();
    await http.destroy().catch(() => {});
    this.ledger.destroyAll();
    await loop;
  }

  /** Ends a pending sleep at once; close() calls it so it never waits out a back-off. */
  protected wake(): void {
    const pause = this.pause;
    this.pause = undefined;
    if (pause) {
      clearTimeout(pause.timer);
      pause.resolve();
    }
  }
}
