/**
 * Upstream messages over HTTP/1.1: `POST MESSAGES_PATH` on a second kept-alive connection of the
 * client's, which carries nothing else, so its socket bytes are the messages' and echoes' exactly.
 * A browser does the same when its first connection is busy: a long poll parked at the server or an
 * SSE stream holds it, and Chromium opens another (up to 6 per origin over HTTP/1.1). With short
 * polling a browser would mostly reuse the idle poll connection between polls; the bytes per
 * request are the same (HTTP/1.1 does not compress headers across requests), only the connection
 * count differs. The connection opens with the first message, so that message's round trip includes
 * the TCP (and TLS) connect, as a browser's would.
 */
import { MESSAGES_PATH } from '../../servers/contract/protocol.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import { countedClient } from './http-dispatcher.ts';
import { SocketLedger } from './socket-ledger.ts';
import type { MessageChannel } from './upstream-sender.ts';
import type { ClientOptions } from './types.ts';

class HttpMessageChannel implements MessageChannel {
  readonly ledger = new SocketLedger();
  private readonly http;

  constructor(origin: string, tls: { ca: string } | undefined, localAddress: string | undefined) {
    this.http = countedClient(origin, this.ledger, {
      tls,
      localAddress,
      bodyTimeoutMs: 30_000,
      headersTimeoutMs: 30_000,
      onConnect: () => {},
    });
  }

  async send(text: string): Promise<{ text: string; receivedNs: bigint }> {
    const { statusCode, body } = await this.http.request({
      method: 'POST',
      path: MESSAGES_PATH,
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    const echo = await body.text();
    // Stamped when the body is complete: that is when the echo is usable.
    const receivedNs = nowNs();
    if (statusCode !== 200) throw new Error(`POST ${MESSAGES_PATH} answered ${statusCode}: ${echo.slice(0, 200)}`);
    return { text: echo, receivedNs };
  }

  bytes(): { up: number; down: number } {
    const { up, down } = this.ledger.bytes();
    return { up: up - this.ledger.tls.tlsHandshakeBytesUp, down: down - this.ledger.tls.tlsHandshakeBytesDown };
  }

  async close(): Promise<void> {
    await this.http.destroy().catch(() => {});
    this.ledger.destroyAll();
  }
}

/**
 * The channel of an HTTP client's messages. Over HTTP/2 a message is a POST stream on the client's
 * one connection, a channel not built yet: refused rather than measured on an HTTP/1.1 connection
 * the job did not ask for. Under the browser and 2010 header profiles a POST would carry that
 * profile's headers (a browser's fetch POST adds Origin, Content-Type and more, not in the capture):
 * refused rather than measured with undici's minimal headers under the profile's name.
 */
export function httpMessageChannel(origin: string, options: ClientOptions): HttpMessageChannel {
  if (options.http === '2') throw new Error('upstream messages over HTTP/2 are not supported yet');
  const profile = options.requestHeaders?.profile ?? 'minimal';
  if (profile !== 'minimal')
    throw new Error(`upstream messages over HTTP under the ${profile} header profile are not supported yet`);
  return new HttpMessageChannel(origin, options.tls, options.localAddress);
}
