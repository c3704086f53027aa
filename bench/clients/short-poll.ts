/**
 * Short polling on a fixed schedule: a poll every `pollIntervalMs`, at this client's phase in the
 * interval, timed against process.hrtime so it does not drift. Never "sleep after the response",
 * which would stretch the interval by the round trip and understate latency. When a poll is still
 * in flight at the next tick, that tick is skipped and counted.
 */
import { EVENTS_PATH } from '../../servers/contract/protocol.ts';
import { BaseClient } from './base.ts';
import { countedClient } from './http-dispatcher.ts';
import { httpMessageChannel } from './http-messages.ts';
import { poll } from './poll-request.ts';
import type { ClientFactory, TransportClient } from './types.ts';
import { nowNs } from '../../servers/contract/clock.ts';

class ShortPollClient extends BaseClient implements TransportClient {
  readonly transport = 'short-poll' as const;
  private readonly http = countedClient(this.origin, this.ledger, {
    tls: this.options.tls,
    http: this.options.http,
    localAddress: this.options.localAddress,
    bodyTimeoutMs: 30_000,
    headersTimeoutMs: 30_000,
    onConnect: () => this.markConnected(),
    offline: () => this.offlineMs() > 0,
  });
  /** The profile's headers, the same on every poll (undefined = minimal: undici's own only). */
  private readonly headers = this.pollHeaders();
  private readonly intervalNs = BigInt(Math.round((this.options.pollIntervalMs ?? 1000) * 1e6));
  private timer: NodeJS.Timeout | undefined;
  // Upstream messages: POSTs on a second connection (http-messages.ts).
  private readonly messages = this.carryMessages(() => httpMessageChannel(this.origin, this.options));
  private inFlight = false;
  private firstTickNs = 0n;
  private tick = 0n;

  async start(): Promise<void> {
    if (!this.options.pollIntervalMs) throw new Error('short polling needs pollIntervalMs');
    const phase = this.options.pollPhase ?? 0;
    // The first poll goes out at once (a page's first load); then polls follow the fixed schedule at
    // origin + phase x interval + k x interval, from the first such tick not in the past. With the
    // origin now and phase 0 that first poll *is* tick 0.
    const now = nowNs();
    let first = (this.options.pollOriginNs ?? now) + BigInt(Math.round(Number(this.intervalNs) * phase));
    if (first < now) first += ((now - first + this.intervalNs - 1n) / this.intervalNs) * this.intervalNs;
    this.firstTickNs = first;
    if (this.firstTickNs - now < 1_000_000n) this.tick = 1n;
    void this.pollOnce();
    this.scheduleNext();
    return this.waitConnected();
  }

  private tickNs(tick: bigint): bigint {
    return this.firstTickNs + tick * this.intervalNs;
  }

  private scheduleNext(): void {
    if (this.closed) return;
    const now = nowNs();
    // Ticks that passed while the event loop was stalled are missed polls: skipped, not bunched.
    while (this.tickNs(this.tick) + 1_000_000n < now) {
      this.tick++;
      this.tally.skippedPolls++;
    }
    const delayMs = Math.max(0, Number(this.tickNs(this.tick) - now) / 1e6);
    this.timer = setTimeout(() => {
      // Node timers have 1 ms granularity and may fire a little before the hrtime tick; this
      // callback *is* that tick either way, so advance explicitly rather than re-reading the clock.
      this.tick++;
      if (this.inFlight) this.tally.skippedPolls++;
      else void this.pollOnce();
      this.scheduleNext();
    }, delayMs);
  }

  /**
   * One scheduled poll. A capped catch-up page (the server held more than it sends at once) is
   * followed by the next page at once, not at the next tick: waiting a whole interval for events the
   * server already holds would be billed as delivery latency. Ticks that pass meanwhile are skipped.
   */
  private async pollOnce(): Promise<void> {
    // Offline after a forced drop: the ticks pass without a poll (nor a skipped-poll count: nothing is late).
    if (this.offlineMs() > 0) return;
    this.attempting();
    this.inFlight = true;
    try {
      let more = true;
      while (more && !this.closed) {
        this.tally.httpRequests++;
        const sentNs = nowNs();
        const answer = await poll(this.http, `${EVENTS_PATH}?since=${this.lastSeq}`, {
          ...this.options,
          headers: this.headers,
        });
        this.tally.httpResponses++;
        this.answered(sentNs);
        this.tally.messageBytesDown += answer.eventBytes;
        if (answer.events.length === 0) this.tally.emptyResponses++;
        else this.deliver(answer.events, answer.receivedNs);
        more = answer.more;
        if (more) this.tally.catchUpPages++;
      }
    } catch (err) {
      if (!this.closed) this.connectFailed(err as Error);
    } finally {
      this.inFlight = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.closeMessages();
    await this.http.destroy().catch(() => {});
    this.ledger.destroyAll();
  }
}

export const createShortPollClient: ClientFactory = (options) => new ShortPollClient(options);
