/**
 * The publisher's end of the upstream wire (servers/contract/feed-wire.ts): a TCP listener that feed servers
 * connect to. Holds the newest events in a ring so a server that (re)connects with `resume <seq>`
 * gets every held event after it, then each new one as it is published.
 */
import net, { type AddressInfo } from 'node:net';
import { LineReader, encodeEventLines, parseResume } from '../../servers/contract/feed-wire.ts';
import { RingBuffer, type FeedEntry } from '../../servers/contract/ring.ts';

/** A server this far behind (bytes queued in our socket) is dropped; it reconnects and resumes. */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

export class UpstreamServer {
  readonly ring: RingBuffer;
  private readonly server = net.createServer((socket) => this.accept(socket));
  /** Servers that sent their resume point and got their replay: they receive every new event. */
  private readonly live = new Set<net.Socket>();
  private readonly sockets = new Set<net.Socket>();
  /** Connections accepted (a reconnecting server counts again). */
  connections = 0;

  constructor(ringCapacity: number) {
    this.ring = new RingBuffer(ringCapacity);
  }

  listen(host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  get subscriberCount(): number {
    return this.live.size;
  }

  /** Appends the entries (contiguous seqs) and writes them to every live server in one write each. */
  publish(entries: readonly FeedEntry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) this.ring.push(entry);
    const text = encodeEventLines(entries.map((e) => e.json));
    for (const socket of this.live) this.send(socket, text);
  }

  private send(socket: net.Socket, text: string): void {
    socket.write(text);
    if (socket.writableLength > MAX_QUEUED_BYTES) socket.destroy();
  }

  private accept(socket: net.Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const reader = new LineReader();
    let resumed = false;
    socket.on('data', (chunk: string) => {
      let lines: string[];
      try {
        lines = reader.push(chunk);
      } catch {
        return void socket.destroy();
      }
      for (const line of lines) {
        const resume = resumed ? undefined : parseResume(line);
        // One resume line, then nothing: anything else is a broken peer.
        if (!resume?.ok) return void socket.destroy();
        resumed = true;
        this.send(socket, encodeEventLines(this.ring.since(resume.value).map((e) => e.json)));
        this.live.add(socket);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      this.live.delete(socket);
      this.sockets.delete(socket);
    });
  }

  /** Drops every connected server (each reconnects and resumes from its newest seq). */
  disconnectAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Drops every server and stops listening; resolves once the listener is closed. */
  close(): Promise<void> {
    this.disconnectAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
