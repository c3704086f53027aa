/**
 * Server-side socket and request counters, shared by every transport so that bytes and connections
 * are counted the same way everywhere: at the socket (bytesRead/bytesWritten), not estimated.
 */
import type { Server, Socket } from 'node:net';
import type { CounterSnapshot } from './contract/server-ipc.ts';

export class ServerCounters {
  tcpAccepted = 0;
  httpRequests = 0;
  wsHandshakes = 0;
  /** HTTP/2 streams the clients opened; undefined on an HTTP/1.1 server, whose snapshot stays as it was. */
  private http2Streams: number | undefined;
  /** Upstream messages read whole and valid (servers/messages.ts), echoes written, messages refused. */
  messagesReceived = 0;
  echoesSent = 0;
  messagesRefused = 0;
  /** Requests and upgrades refused by the access policy (access-policy.ts): a Host not this server's (421), an Origin not allowed (403). */
  hostRefused = 0;
  originRefused = 0;
  /** Connections closed unserved past the server's maxConnections (servers/limits.ts). */
  connectionsRefused = 0;
  /** Poll answers cut to a catch-up page (servers/catch-up.ts). */
  catchUpCapped = 0;
  /** WebSocket and SSE clients dropped for leaving too many bytes unread (servers/slow-consumer.ts). */
  slowConsumersDropped = 0;
  /** WebSocket pings and SSE comment lines sent to keep idle connections open (servers/keep-alive.ts). */
  keepAlivesSent = 0;
  private readonly open = new Set<Socket>();
  private closedBytesIn = 0;
  private closedBytesOut = 0;

  /**
   * Counts every accepted connection and every plain HTTP request on `server`. Upgrade requests are
   * not HTTP requests here: node:http emits 'upgrade' for them, and the ws transport counts each
   * completed one as a WebSocket handshake instead. On a TLS server (node:tls, node:https) the
   * 'connection' event hands over the raw TCP socket before TLS wraps it: its bytesRead/bytesWritten
   * are TCP payload, TLS records included, not the plaintext the TLSSocket counts.
   */
  track(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.tcpAccepted++;
      this.open.add(socket);
      socket.once('close', () => {
        this.open.delete(socket);
        this.closedBytesIn += socket.bytesRead;
        this.closedBytesOut += socket.bytesWritten;
      });
    });
    server.on('request', () => this.httpRequests++);
  }

  /**
   * On an HTTP/2 server, also counts the streams clients open (one per request; 'stream' is emitted
   * for every one, the compatibility API's 'request' included).
   */
  trackStreams(server: Server): void {
    this.http2Streams = 0;
    server.on('stream', () => this.http2Streams!++);
  }

  snapshot(): CounterSnapshot {
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    for (const socket of this.open) {
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    }
    return {
      tcpAccepted: this.tcpAccepted,
      openSockets: this.open.size,
      httpRequests: this.httpRequests,
      wsHandshakes: this.wsHandshakes,
      messagesReceived: this.messagesReceived,
      echoesSent: this.echoesSent,
      messagesRefused: this.messagesRefused,
      hostRefused: this.hostRefused,
      originRefused: this.originRefused,
      slowConsumersDropped: this.slowConsumersDropped,
      keepAlivesSent: this.keepAlivesSent,
      bytesIn,
      bytesOut,
      ...(this.http2Streams !== undefined && { http2Streams: this.http2Streams }),
      // Only once a limit was reached: a snapshot of an ordinary run stays as it was.
      ...(this.connectionsRefused > 0 && { connectionsRefused: this.connectionsRefused }),
      ...(this.catchUpCapped > 0 && { catchUpCapped: this.catchUpCapped }),
    };
  }

  /** Destroys every open client socket (used at shutdown so close() does not wait on keep-alive). */
  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }
}
