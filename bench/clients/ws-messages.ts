/**
 * Upstream messages over the client's WebSocket (bench/clients/ws.ts): each message one text frame
 * (ws.send: masked, so 4 bytes more than the server's frame of the same payload, RFC 6455 5.3), its
 * echo one text frame back among the feed's frames.
 *
 * Bytes up are measured at the socket: after its opening handshake the client writes nothing but
 * message frames, so everything the ledger gains while a connection is open is the messages'. Bytes
 * down cannot be read off the socket (a read may hold an event frame and an echo together), so they
 * are the echo frames' size by RFC 6455 5.2 arithmetic, exact for uncompressed frames in cleartext;
 * not counted with permessage-deflate (ws shows the inflated message, not the frame) nor with TLS (a
 * record's size is not the frame's, and the socket cannot tell echo records from event records).
 */
import type WebSocket from 'ws';
import { isEchoText } from '../../servers/contract/upstream-message.ts';
import type { SocketLedger } from './socket-ledger.ts';
import type { MessageChannel } from './upstream-sender.ts';

/** A server frame's size for a payload of `n` bytes: 2 header bytes, 2 or 8 more for the length. */
function serverFrameBytes(n: number): number {
  return n + (n < 126 ? 2 : n < 65_536 ? 4 : 10);
}

export class WsMessageChannel implements MessageChannel {
  private connection: WebSocket | undefined;
  /** Whether echo frames are counted: their wire size is known only in cleartext and uncompressed. */
  private countsDown = false;
  private pending:
    { resolve: (echo: { text: string; receivedNs: bigint }) => void; reject: (e: Error) => void } | undefined;
  /** The ledger's bytes up when the open connection's handshake ended; the bytes up of connections closed. */
  private upAtOpen: number | undefined;
  private upClosed = 0;
  private down = 0;

  constructor(
    private readonly clientLedger: SocketLedger,
    private readonly tls: boolean,
  ) {}

  /** The connection is open: messages go over it from now on. */
  opened(ws: WebSocket): void {
    this.connection = ws;
    this.countsDown = !this.tls && !ws.extensions.includes('permessage-deflate');
    this.upAtOpen = this.clientLedger.bytes().up;
  }

  /** The connection closed: a message in flight will get no echo. */
  closed(): void {
    if (this.upAtOpen !== undefined) this.upClosed += this.clientLedger.bytes().up - this.upAtOpen;
    this.upAtOpen = undefined;
    this.connection = undefined;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(new Error('the WebSocket closed before the echo came back'));
  }

  /** Takes a text frame if it is an echo (true), or leaves it to the feed (false). */
  take(data: Buffer, receivedNs: bigint): boolean {
    const text = data.toString('utf8');
    if (!isEchoText(text)) return false;
    if (this.countsDown) this.down += serverFrameBytes(data.length);
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve({ text, receivedNs });
    return true;
  }

  send(text: string): Promise<{ text: string; receivedNs: bigint }> {
    const ws = this.connection;
    if (!ws || ws.readyState !== ws.OPEN) return Promise.reject(new Error('no open WebSocket to send on'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      ws.send(text, { binary: false });
    });
  }

  bytes(): { up: number; down: number } {
    const open = this.upAtOpen === undefined ? 0 : this.clientLedger.bytes().up - this.upAtOpen;
    return { up: this.upClosed + open, down: this.down };
  }

  async close(): Promise<void> {
    this.closed();
  }
}
