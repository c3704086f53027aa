/**
 * WebSocket (ws): one connection, one event per message. Resume after a drop with `?since=<last>`.
 * permessage-deflate is set explicitly (ws's client and server defaults differ), and the socket is
 * made by us (createConnection) so the handshake's bytes are counted at the socket too.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { WS_PATH, decodeEvent } from '../../servers/contract/protocol.ts';
import { BaseClient } from './base.ts';
import type { ClientFactory, TransportClient } from './types.ts';
import { nowNs } from '../../servers/contract/clock.ts';

class WsClient extends BaseClient implements TransportClient {
  readonly transport = 'ws' as const;
  private ws: WebSocket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closedSocket: Promise<void> = Promise.resolve();

  start(): Promise<void> {
    this.connect();
    return this.waitConnected();
  }

  private connect(): void {
    const url = `ws://${this.options.host}:${this.options.port}${WS_PATH}?since=${this.lastSeq}`;
    const ws = new WebSocket(url, {
      perMessageDeflate: this.options.perMessageDeflate ?? false,
      handshakeTimeout: this.options.connectTimeoutMs ?? 10_000,
      // ws passes its http.request options here; we only need where to connect.
      // `timeout` carries handshakeTimeout: ws's default connector sets it on the socket, and without
      // it here a handshake the server never answers waited forever (the connect stall of issue 8).
      // ws clears it (setTimeout(0)) once the connection is open.
      createConnection: ((opts: { host?: string; port?: string | number; timeout?: number }) => {
        const socket = net.connect({
          host: opts.host ?? this.options.host,
          port: Number(opts.port),
          timeout: opts.timeout,
        });
        // Counted once connected, like the HTTP clients: a refused attempt is an error, not a connection.
        socket.once('connect', () => this.ledger.add(socket));
        return socket;
      }) as unknown as typeof net.createConnection,
    });
    this.ws = ws;
    this.closedSocket = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('open', () => {
      this.tally.wsHandshakes++;
      this.markConnected();
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const receivedNs = nowNs();
      const text = isBinary ? data.toString('utf8') : data.toString();
      this.tally.messageBytesDown += data.length;
      this.deliver([decodeEvent(text)], receivedNs);
    });
    ws.on('error', (err) => {
      if (!this.closed) this.connectFailed(err);
    });
    ws.on('close', () => {
      if (this.closed) return;
      this.reconnectTimer = setTimeout(() => this.connect(), this.options.reconnectDelayMs ?? 100);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.ws?.terminate();
    this.ledger.destroyAll();
    await this.closedSocket;
  }
}

export const createWsClient: ClientFactory = (options) => new WsClient(options);
