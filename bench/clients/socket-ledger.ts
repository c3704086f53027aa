/**
 * Counts bytes at the socket for one client: every socket the client opens is registered here and
 * its bytesRead/bytesWritten are summed, closed sockets included. Never estimated from messages.
 */
import type { Socket } from 'node:net';

export class SocketLedger {
  tcpConnects = 0;
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

  bytes(): { up: number; down: number } {
    let up = this.closedUp;
    let down = this.closedDown;
    for (const socket of this.open) {
      up += socket.bytesWritten;
      down += socket.bytesRead;
    }
    return { up, down };
  }

  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }
}
