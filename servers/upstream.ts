/**
 * The server's connection to its upstream publisher (wire: servers/contract/feed-wire.ts). Sends its resume
 * point, appends every event line to the feed, and reconnects with a bounded back-off when the
 * upstream drops, resuming from the newest seq it holds. Decoding each event is the server's own work
 * (a real server decodes its broker's messages); the schedule and its clock are not.
 *
 * Also records each event's arrival lag (when the server hands it to its transports minus its
 * scheduled time: publisher lateness, the hop and any wait behind a busy server loop), so a reader
 * can tell feed delay from the fan-out and the transport.
 */
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { decodeEvent } from './contract/protocol.ts';
import { LineReader, encodeResume } from './contract/feed-wire.ts';
import { LagRecorder } from './contract/lag.ts';
import type { UpstreamStats } from './contract/server-ipc.ts';
import type { Feed } from './feed.ts';
import { nowNs } from './contract/clock.ts';

/** A line from the upstream that is not an event (the upstream's fault: drop the connection and resume). */
class BadLine extends Error {}

/** How long the server hands upstream events to its transports before it yields to other work. */
const YIELD_AFTER_NS = 20_000_000n;

export interface UpstreamOptions {
  host: string;
  port: number;
  feed: Feed;
  /** Reconnect back-off: doubles from min to max after each failed attempt, ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class Upstream {
  private socket: net.Socket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private closed = false;
  private connects = 0;
  private protocolErrors = 0;
  private lastError: string | null = null;
  private readonly arrivalLag = new LagRecorder();
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private onFirstConnect: (() => void) | undefined;
  private readonly readBuffer = Buffer.allocUnsafe(64 * 1024);

  constructor(private readonly options: UpstreamOptions) {
    this.minBackoffMs = options.minBackoffMs ?? 20;
    this.maxBackoffMs = options.maxBackoffMs ?? 1000;
    this.backoffMs = this.minBackoffMs;
  }

  /** Connects (retrying with back-off); resolves at the first connection, rejects after `timeoutMs`. */
  start(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close();
        reject(
          new Error(
            `no upstream feed at ${this.options.host}:${this.options.port} within ${timeoutMs} ms (${this.lastError ?? 'no answer'})`,
          ),
        );
      }, timeoutMs);
      this.onFirstConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      this.connect();
    });
  }

  private connect(): void {
    if (this.closed) return;
    const { host, port, feed } = this.options;
    const reader = new LineReader();
    const decoder = new StringDecoder('utf8');
    // Lines read but not yet handed to the feed, with when their chunk arrived.
    const queue: { lines: string[]; next: number }[] = [];
    let draining = false;
    /**
     * Hands queued lines to the feed until YIELD_AFTER_NS has passed; true when none is left. Past its
     * ceiling a server gets more events than it can send, and handing a 64 KiB chunk (~200 events) to
     * 2,000 sockets in one go kept its loop busy for seconds: it accepted no connection and answered
     * no stats request (the connect stall of issue 8). Events handed over later keep their scheduled
     * time, so the wait counts as latency.
     */
    const handOver = (): boolean => {
      const deadline = nowNs() + YIELD_AFTER_NS;
      while (queue.length > 0) {
        const chunk = queue[0]!;
        while (chunk.next < chunk.lines.length) {
          // Lag is taken as the event reaches the transports: a wait in this queue is part of it.
          const now = nowNs();
          if (now >= deadline) return false;
          const line = chunk.lines[chunk.next++]!;
          // Only a line that is no event is the upstream's fault; a transport that throws is a server bug and crashes it.
          let event;
          try {
            event = decodeEvent(line);
          } catch (err) {
            throw new BadLine((err as Error).message);
          }
          if (feed.append({ event, json: line })) this.arrivalLag.record(Number(now - event.emittedAtNs));
        }
        queue.shift();
      }
      return true;
    };
    const failed = (err: unknown) => {
      if (!(err instanceof BadLine)) throw err;
      this.protocolErrors++;
      queue.length = 0;
      socket.destroy(new Error(`bad feed line: ${err.message}`));
    };
    // While lines wait, the socket stays paused; the rest is handed over after other work has run.
    const continueLater = () =>
      setImmediate(() => {
        if (this.socket !== socket) return;
        try {
          if (!handOver()) return continueLater();
        } catch (err) {
          return failed(err);
        }
        draining = false;
        socket.resume();
      });
    // Reads into one reused buffer (`onread`), skipping the Readable stream machinery: on this VM that
    // halved the CPU of reading one event (measured with a bare reader at 100 events/s). Returning
    // false pauses the socket.
    const onread = {
      buffer: this.readBuffer,
      callback: (bytes: number, buffer: Uint8Array): boolean => {
        try {
          let lines: string[];
          try {
            lines = reader.push(decoder.write(Buffer.from(buffer.buffer, buffer.byteOffset, bytes)));
          } catch (err) {
            throw new BadLine((err as Error).message);
          }
          if (lines.length > 0) queue.push({ lines, next: 0 });
          // A chunk read while earlier lines wait is queued behind them, in order.
          if (draining) return false;
          if (handOver()) return true;
        } catch (err) {
          failed(err);
          return true;
        }
        draining = true;
        continueLater();
        return false;
      },
    };
    const socket = net.connect({ host, port, onread });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once('connect', () => {
      this.connects++;
      this.backoffMs = this.minBackoffMs;
      socket.write(encodeResume(feed.latestSeq));
      this.onFirstConnect?.();
      this.onFirstConnect = undefined;
    });
    socket.on('error', (err) => {
      this.lastError = err.message;
    });
    socket.once('close', () => {
      if (this.socket === socket) this.socket = undefined;
      if (this.closed) return;
      this.retryTimer = setTimeout(() => this.connect(), this.backoffMs);
      this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
    });
  }

  /** A new measurement window: arrival lag counts from here. */
  resetWindow(): void {
    this.arrivalLag.reset();
  }

  stats(): UpstreamStats {
    return {
      host: this.options.host,
      port: this.options.port,
      connected: this.socket?.readyState === 'open',
      connects: this.connects,
      protocolErrors: this.protocolErrors,
      lastError: this.lastError,
      // With its histogram: a server group's primary merges its workers' lags exactly (cluster-stats.ts).
      arrivalLag: this.arrivalLag.mergeableSummary(),
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.destroy();
    this.socket = undefined;
  }
}
