/**
 * Counts bytes at the socket for one client: every socket the client opens is registered here and
 * its bytesRead/bytesWritten are summed, closed sockets included. Never estimated from messages.
 * With TLS the socket registered is the raw TCP one under the TLSSocket (bench/clients/tls-connect.ts):
 * a TLSSocket's own counters count plaintext, the raw socket's count TCP payload (TLS records).
 */
import type { Socket } from 'node:net';

/** One TLS handshake as tls-connect.ts measured it. */
export interface TlsHandshake {
  bytesUp: number;
  bytesDown: number;
  us: number;
  resumed: boolean;
}

export class SocketLedger {
  tcpConnects = 0;
  readonly tls = {
    tlsHandshakes: 0,
    tlsResumedHandshakes: 0,
    tlsHandshakeBytesUp: 0,
    tlsHandshakeBytesDown: 0,
    tlsHandshakeUs: 0,
  };
  private readonly open = new Set<Socket>();
  private closedUp = 0;
  private closedDown = 0;

  add(socket: Socket): void {
    // Nagle off: without it a small write waits for the peer's delayed ACK (~40 ms per round trip).
    socket.setNoDelay(true);
    this.tcpConnects++;
    this.open.add(socket);
    socket.once('close', () => {
      this.open.delete(socket);
      this.closedUp += socket.bytesWritten;
      this.closedDown += socket.bytesRead;
    });
  }

  recordTlsHandshake(h: TlsHandshake): void {
    this.tls.tlsHandshakes++;
    if (h.resumed) this.tls.tlsResumedHandshakes++;
    this.tls.tlsHandshakeBytesUp += h.bytesUp;
    this.tls.tlsHandshakeBytesDown += h.bytesDown;
    this.tls.tlsHandshakeUs += h.us;
  }

  bytes(): { up: number; down: number } {
    let up = this.closedUp;
    let down = this.closedDown;
    for (const socket of this.open) {
      up += socket.bytesWritten;
      down += socket.bytesRead;
    }
    return { up, down };
  }

  /**
   * Resets every open socket (RST instead of FIN, as a mobile client that loses its radio looks to the
   * server: no goodbye). A socket whose handle cannot be reset (no longer a plain TCP handle) is destroyed.
   */
  resetAll(): void {
    for (const socket of this.open) {
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy();
      }
    }
  }

  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }
}
