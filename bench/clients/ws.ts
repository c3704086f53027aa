/**
 * WebSocket (ws): one connection, one event per message. Resume after a drop with `?since=<last>`.
 * permessage-deflate is set explicitly (ws's client and server defaults differ), and the socket is
 * made by us (createConnection) so the handshake's bytes are counted at the socket too.
 *
 * With TLS (wss) the TCP socket and the TLS handshake are made first (tls-connect.ts, so the ledger
 * holds the raw socket and the handshake is measured alone), then handed to ws. A reconnect offers
 * the previous connection's session, as a browser would.
 */
import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { WS_CLOSE_SLOW_CONSUMER, WS_PATH, decodeEvent, type FeedEvent } from '../../servers/contract/protocol.ts';
import { decodeBinaryEvent } from '../../servers/contract/binary-event.ts';
import { perMessageDeflateFor } from '../../servers/contract/ws-deflate.ts';
import { BaseClient } from './base.ts';
import { wsHeaders } from './request-headers.ts';
import { openTcp, secureOver } from './tls-connect.ts';
import type { ClientFactory, TransportClient } from './types.ts';
import { WsMessageChannel } from './ws-messages.ts';
import { nowNs } from '../../servers/contract/clock.ts';

type CreateConnection = (opts: { host?: string; port?: string | number; timeout?: number }) => net.Socket;

class WsClient extends BaseClient implements TransportClient {
  readonly transport = 'ws' as const;
  private ws: WebSocket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closedSocket: Promise<void> = Promise.resolve();
  /** The latest TLS session ticket, offered when reconnecting. */
  private session: Buffer | undefined;
  /** One trust store for all of this client's connections (see http-dispatcher.ts). */
  private readonly secureContext = this.options.tls && tls.createSecureContext({ ca: this.options.tls.ca });
  /** Upstream messages: frames on this connection (ws-messages.ts). */
  private readonly messages = this.carryMessages(
    () => new WsMessageChannel(this.ledger, this.options.tls !== undefined),
  );

  start(): Promise<void> {
    this.connect();
    return this.waitConnected();
  }

  private get timeoutMs(): number {
    return this.options.connectTimeoutMs ?? 10_000;
  }

  private connect(): void {
    if (this.closed) return;
    // Offline after a forced drop: no attempt before its end (a timer may fire a little early).
    const offline = this.offlineMs();
    if (offline > 0) {
      this.reconnectTimer = setTimeout(() => this.connect(), offline + 1);
      return;
    }
    this.attempting();
    // When this attempt began: its handshake's answer can only come from a server alive since then.
    const sentNs = nowNs();
    if (this.secureContext) {
      void this.connectTls(this.secureContext, sentNs);
      return;
    }
    // ws passes its http.request options here; we only need where to connect.
    // `timeout` carries handshakeTimeout: ws's default connector sets it on the socket, and without
    // it here a handshake the server never answers waited forever (the connect stall of issue 8).
    // ws clears it (setTimeout(0)) once the connection is open.
    this.open(
      'ws',
      (opts) => {
        const socket = net.connect({
          host: opts.host ?? this.options.host,
          port: Number(opts.port),
          timeout: opts.timeout,
          ...(this.options.localAddress !== undefined && { localAddress: this.options.localAddress }),
        });
        // Counted once connected, like the HTTP clients: a refused attempt is an error, not a connection.
        socket.once('connect', () => this.ledger.add(socket));
        return socket;
      },
      sentNs,
    );
  }

  private async connectTls(secureContext: tls.SecureContext, sentNs: bigint): Promise<void> {
    let secure: tls.TLSSocket;
    try {
      const raw = await openTcp(
        this.options.host,
        this.options.port,
        this.timeoutMs,
        this.ledger,
        this.options.localAddress,
      );
      secure = await secureOver(raw, this.ledger, this.timeoutMs, (done) => {
        const socket = tls.connect({ socket: raw, host: this.options.host, secureContext, session: this.session });
        socket.on('session', (session: Buffer) => (this.session = session));
        socket.once('secureConnect', () => done(null, socket));
        socket.once('error', (err) => done(err));
      });
    } catch (err) {
      if (this.closed) return;
      this.connectFailed(err as Error);
      this.reconnectTimer = setTimeout(() => this.connect(), this.backOffMs());
      return;
    }
    if (this.closed) return void secure.destroy();
    this.open('wss', () => secure, sentNs);
  }

  private open(scheme: 'ws' | 'wss', createConnection: CreateConnection, sentNs: bigint): void {
    const url = `${scheme}://${this.options.host}:${this.options.port}${WS_PATH}?since=${this.lastSeq}`;
    // The request header profile's list in Chromium's order; ws fills in its own fields where they stand.
    const list = this.profileHeaders('websocket');
    const ws = new WebSocket(url, {
      ...(list.length > 0 && { headers: wsHeaders(list) }),
      // The same offer the server is set to accept (ws-deflate.ts).
      perMessageDeflate: perMessageDeflateFor(this.options.compression, this.options.perMessageDeflate),
      handshakeTimeout: this.timeoutMs,
      createConnection: createConnection as unknown as typeof net.createConnection,
    });
    this.ws = ws;
    this.closedSocket = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('open', () => {
      this.messages?.opened(ws);
      this.tally.wsHandshakes++;
      this.markConnected();
      this.answered(sentNs);
    });
    // messageBytesDown: the message's data (decompressed with permessage-deflate; the socket counts
    // what travelled). A binary message is one binary record, a text message the event JSON.
    // A message that does not decode is an error, counted like a broken poll body; the connection is
    // dropped and resumed (an exception thrown from here would escape through ws's socket handler).
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const receivedNs = nowNs();
      // An upstream message's echo (ws-messages.ts), not an event.
      if (!isBinary && this.messages?.take(data, receivedNs)) return;
      this.tally.messageBytesDown += data.length;
      let event: FeedEvent;
      try {
        event =
          isBinary && this.options.encoding === 'binary' ? decodeBinaryEvent(data) : decodeEvent(data.toString('utf8'));
      } catch (err) {
        this.connectFailed(err as Error);
        ws.terminate();
        return;
      }
      this.deliver([event], receivedNs);
    });
    ws.on('error', (err) => {
      if (!this.closed) this.connectFailed(err);
    });
    ws.on('close', (code: number) => {
      this.messages?.closed();
      if (this.closed) return;
      if (code === WS_CLOSE_SLOW_CONSUMER) this.tally.droppedAsSlow++;
      this.reconnectTimer = setTimeout(() => this.connect(), this.backOffMs());
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.closeMessages();
    this.ws?.terminate();
    this.ledger.destroyAll();
    await this.closedSocket;
  }
}

export const createWsClient: ClientFactory = (options) => new WsClient(options);
