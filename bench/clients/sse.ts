/**
 * Server-Sent Events over undici, parsed with eventsource-parser (the parser the `eventsource`
 * package uses). Driving it ourselves rather than through an EventSource object keeps the socket in
 * our ledger, so bytes are counted at the socket. Reconnects send `Last-Event-ID`, as EventSource does.
 */
import { isCompressed } from '../../servers/contract/compressed.ts';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import { finished } from 'node:stream/promises';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ProtocolError, STREAM_PATH, decodeEvent } from '../../servers/contract/protocol.ts';
import { decodeBase64Event } from '../../servers/contract/binary-event.ts';
import { BaseClient } from './base.ts';
import { countedClient } from './http-dispatcher.ts';
import { undiciHeaders } from './request-headers.ts';
import { httpMessageChannel } from './http-messages.ts';
import type { ClientFactory, TransportClient } from './types.ts';
import { nowNs } from '../../servers/contract/clock.ts';

class SseClient extends BaseClient implements TransportClient {
  readonly transport = 'sse' as const;
  // bodyTimeout 0: a quiet stream is not a dead one.
  private readonly http = countedClient(this.origin, this.ledger, {
    tls: this.options.tls,
    http: this.options.http,
    localAddress: this.options.localAddress,
    bodyTimeoutMs: 0,
    headersTimeoutMs: 10_000,
    onConnect: () => {},
    offline: () => this.offlineMs() > 0,
  });
  private loop: Promise<void> | undefined;
  // Upstream messages: POSTs on a second connection (http-messages.ts).
  private readonly messages = this.carryMessages(() => httpMessageChannel(this.origin, this.options));
  private chunkNs = 0n;
  private readonly parser = createParser({ onEvent: (message) => this.onMessage(message) });

  start(): Promise<void> {
    this.loop = this.run();
    return this.waitConnected();
  }

  private readonly gzip = isCompressed(this.options.compression);

  /** messageBytesDown: the data field as it travelled (JSON, or the record's base64: 4/3 of its bytes). */
  private onMessage(message: EventSourceMessage): void {
    this.tally.messageBytesDown += Buffer.byteLength(message.data);
    const event = this.options.encoding === 'binary' ? decodeBase64Event(message.data) : decodeEvent(message.data);
    this.deliver([event], this.chunkNs);
  }

  /**
   * A gzip stream (undici's Client.request does not decompress): its output is parsed as it comes
   * out of a streaming gunzip, each piece stamped then, when its events became usable. zlib runs on
   * the thread pool, so that is a little after the compressed bytes arrived, as in a browser (and
   * as ws's 'message' comes after its inflate).
   */
  private async readGzip(body: AsyncIterable<Buffer> & { destroy(err: Error): void }): Promise<void> {
    const gunzip = createGunzip();
    const text = new StringDecoder('utf8');
    gunzip.on('data', (out: Buffer) => {
      this.chunkNs = nowNs();
      try {
        this.parser.feed(text.write(out));
      } catch (err) {
        body.destroy(err as Error);
      }
    });
    gunzip.on('error', (err) => body.destroy(new ProtocolError(`SSE stream is not valid gzip: ${err.message}`)));
    try {
      for await (const chunk of body) gunzip.write(chunk);
    } finally {
      gunzip.destroy();
    }
  }

  private run(): Promise<void> {
    return this.retryLoop(async () => {
      this.tally.httpRequests++;
      const sentNs = nowNs();
      const { statusCode, headers, body } = await this.http.request({
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
      this.answered(sentNs);
      this.parser.reset();
      if (headers['content-encoding'] === 'gzip') await this.readGzip(body);
      else {
        // Read as the chunks come ('data'), not through the body's async iterator: its promise and
        // microtasks per chunk were a fifth of the load process's time at 10,000 streams (CPU profile).
        body.on('data', (chunk: Buffer) => {
          // Every event parsed from this chunk arrived with it.
          this.chunkNs = nowNs();
          try {
            this.parser.feed(chunk.toString('utf8'));
          } catch (err) {
            body.destroy(err as Error);
          }
        });
        await finished(body);
      }
      // The server ended it: its slow-consumer policy, or its process exited (a restart). The run's
      // warning takes the server's own count of slow drops as the ceiling (bench/metrics.ts).
      if (!this.closed) {
        this.tally.droppedAsSlow++;
        throw new Error('stream ended');
      }
    });
  }

  /**
   * The profile's headers (minimal: accept and Last-Event-ID only), asking for gzip when compression is
   * on and the profile does not already (a browser's Accept-Encoding includes gzip).
   */
  private headers(): Record<string, string> | string[] {
    const list = this.profileHeaders('eventsource', this.lastSeq);
    if (list.length === 0)
      return {
        accept: 'text/event-stream',
        'last-event-id': String(this.lastSeq),
        ...(this.gzip && { 'accept-encoding': 'gzip' }),
      };
    const asks = list.some(([name]) => name.toLowerCase() === 'accept-encoding');
    return [...undiciHeaders(list), ...(this.gzip && !asks ? ['accept-encoding', 'gzip'] : [])];
  }

  close(): Promise<void> {
    return this.closeLoop(this.http, this.loop);
  }
}

export const createSseClient: ClientFactory = (options) => new SseClient(options);
