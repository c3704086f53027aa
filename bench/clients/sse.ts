/**
 * Server-Sent Events over undici, parsed with eventsource-parser (the parser the `eventsource`
 * package uses). Driving it ourselves rather than through an EventSource object keeps the socket in
 * our ledger, so bytes are counted at the socket. Reconnects send `Last-Event-ID`, as EventSource does.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { STREAM_PATH, decodeEvent } from '../../servers/contract/protocol.ts';
import { BaseClient } from './base.ts';
import { countedClient } from './http-dispatcher.ts';
import { undiciHeaders } from './request-headers.ts';
import type { ClientFactory, TransportClient } from './types.ts';
import { nowNs } from '../../servers/contract/clock.ts';

class SseClient extends BaseClient implements TransportClient {
  readonly transport = 'sse' as const;
  // bodyTimeout 0: a quiet stream is not a dead one.
  private readonly http = countedClient(this.origin, this.ledger, {
    tls: this.options.tls,
    http: this.options.http,
    bodyTimeoutMs: 0,
    headersTimeoutMs: 10_000,
    onConnect: () => {},
  });
  private loop: Promise<void> | undefined;
  private chunkNs = 0n;
  private readonly parser = createParser({ onEvent: (message) => this.onMessage(message) });

  start(): Promise<void> {
    this.loop = this.run();
    return this.waitConnected();
  }

  private onMessage(message: EventSourceMessage): void {
    this.tally.messageBytesDown += Buffer.byteLength(message.data);
    this.deliver([decodeEvent(message.data)], this.chunkNs);
  }

  private run(): Promise<void> {
    return this.retryLoop(async () => {
      this.tally.httpRequests++;
      const { statusCode, body } = await this.http.request({
        method: 'GET',
        path: STREAM_PATH,
        headers: this.headers(),
      });
      if (statusCode !== 200)
        throw new Error(`GET ${STREAM_PATH} answered ${statusCode}: ${(await body.text()).slice(0, 200)}`);
      // The stream's answer: it begins here and carries every event after.
      this.tally.httpResponses++;
      // Connected = the stream's headers arrived.
      this.markConnected();
      this.parser.reset();
      for await (const chunk of body) {
        // Every event parsed from this chunk arrived with it.
        this.chunkNs = nowNs();
        this.parser.feed(chunk.toString('utf8'));
      }
      if (!this.closed) throw new Error('stream ended');
    });
  }

  /** The minimal profile's two headers, or the profile's (whose Last-Event-ID carries the same resume point). */
  private headers(): Record<string, string> | string[] {
    const list = this.profileHeaders('eventsource', this.lastSeq);
    if (list.length === 0) return { accept: 'text/event-stream', 'last-event-id': String(this.lastSeq) };
    return undiciHeaders(list);
  }

  close(): Promise<void> {
    return this.closeLoop(this.http, this.loop);
  }
}

export const createSseClient: ClientFactory = (options) => new SseClient(options);
