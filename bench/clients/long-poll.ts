/**
 * Long polling: a request with `wait`, re-issued as soon as the answer arrives. A failed request is
 * retried after `reconnectDelayMs` from the last seq received, so a dropped connection loses nothing.
 */
import { nowNs } from '../../servers/contract/clock.ts';
import { EVENTS_PATH } from '../../servers/contract/protocol.ts';
import { BaseClient } from './base.ts';
import { countedClient } from './http-dispatcher.ts';
import { httpMessageChannel } from './http-messages.ts';
import { poll } from './poll-request.ts';
import type { ClientFactory, TransportClient } from './types.ts';

class LongPollClient extends BaseClient implements TransportClient {
  readonly transport = 'long-poll' as const;
  private readonly waitMs = this.options.longPollWaitMs ?? 30_000;
  // The server may legitimately hold the headers for the whole wait. For a long poll the first
  // answer may be held that long too, so "connected" is the TCP connect (the TLS handshake's end with TLS), not the first answer.
  private readonly http = countedClient(this.origin, this.ledger, {
    tls: this.options.tls,
    http: this.options.http,
    localAddress: this.options.localAddress,
    bodyTimeoutMs: 30_000,
    headersTimeoutMs: this.waitMs + 10_000,
    onConnect: () => this.markConnected(),
    offline: () => this.offlineMs() > 0,
  });
  /** The profile's headers, the same on every poll (undefined = minimal: undici's own only). */
  private readonly headers = this.pollHeaders();
  private loop: Promise<void> | undefined;
  // Upstream messages: POSTs on a second connection (http-messages.ts).
  private readonly messages = this.carryMessages(() => httpMessageChannel(this.origin, this.options));

  start(): Promise<void> {
    this.loop = this.run();
    return this.waitConnected();
  }

  private run(): Promise<void> {
    return this.retryLoop(async () => {
      this.tally.httpRequests++;
      const sentNs = nowNs();
      const answer = await poll(this.http, `${EVENTS_PATH}?since=${this.lastSeq}&wait=${this.waitMs}`, {
        ...this.options,
        headers: this.headers,
      });
      this.tally.httpResponses++;
      this.answered(sentNs);
      this.tally.messageBytesDown += answer.eventBytes;
      if (answer.events.length === 0) this.tally.emptyResponses++;
      else this.deliver(answer.events, answer.receivedNs);
      // A capped catch-up page: the next request, sent at once, gets the next page without waiting.
      if (answer.more) this.tally.catchUpPages++;
    });
  }

  close(): Promise<void> {
    return this.closeLoop(this.http, this.loop);
  }
}

export const createLongPollClient: ClientFactory = (options) => new LongPollClient(options);
