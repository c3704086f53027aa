/**
 * The user-space network emulator: a TCP relay between the clients and the server that applies a
 * NetworkProfile to each direction of each connection (the arithmetic is path-model.ts, which also
 * describes the model). One timer per direction of a connection, armed for the head of its queue
 * only; each direction holds at most HIGH_WATER_BYTES (plus one read) before it stops reading from
 * its source, so memory stays bounded whatever the sender does.
 */
import net from 'node:net';
import { build, type Histogram } from 'hdr-histogram-js';
import type { NetworkProfile } from './profiles.ts';
import { DirectionPath, directionParams, meanOneWayMs, seededRandom } from './path-model.ts';
import { nowNs } from '../../servers/contract/clock.ts';

/** The project's one clock (process.hrtime, CLOCK_MONOTONIC), in ms: the path model counts in ms. */
const nowMs = (): number => Number(nowNs()) / 1e6;

/** A direction stops reading from its source above this many bytes held (its queue + the socket's buffer). */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** ... and reads again below this. */
const LOW_WATER_BYTES = 1024 * 1024;
/**
 * Node's timers count whole milliseconds on a loop clock truncated to the millisecond: they fire up
 * to about 1 ms early or late. Up to this one-way delay a millisecond is 5% of it or more, so the
 * relay waits out the last sub-millisecond turn by turn of the event loop (setImmediate, which keeps
 * serving I/O) instead: writes leave within microseconds of their time. Measured with 5 connections
 * x 20 messages/s at 20 ms one way: lateness p50 50 µs instead of 340 µs.
 */
const PRECISE_UP_TO_ONE_WAY_MS = 20;
/**
 * Waiting out sub-milliseconds is busy: it may take at most this share of one core (a token bucket
 * of spin time, shared by every connection). Past it the relay falls back to whole-millisecond
 * timers, and its lateness figures show the cost. Without the cap, a 9 Mbit/s bulk transfer (one
 * departure per 1.3 ms segment) took 180 ms of CPU per MB.
 */
const SPIN_SHARE = 0.1;
/**
 * Past PRECISE_UP_TO_ONE_WAY_MS, timers are whole milliseconds: rounded to the nearest one, with a
 * write allowed up to half a millisecond early, the error is within about ±0.5 ms and centred on the
 * departure instead of always late (rounding up made every write 0.5-1.5 ms late: measured lateness
 * p50 1.5 ms at 30 ms one way, a systematic 5%).
 */
const COARSE_TOLERANCE_MS = 0.5;
const SPIN_BURST_MS = 50;

/**
 * Resets a socket (RST), or only destroys it once its own FIN is on the way: on Node 20 a reset while
 * end()'s shutdown is pending fails (EINVAL) and leaves the handle open for good, so 'close' never
 * comes (close() below would wait forever) and the process spins at exit in its handle cleanup. Seen
 * in test/integration/paths.test.ts; the same as libp2p/js-libp2p#3597 on Node 24.
 */
function reset(socket: net.Socket): void {
  if (socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}

class SpinBudget {
  private tokens = SPIN_BURST_MS;
  private last = nowMs();
  /** Takes `ms` of spin time if the budget has it. */
  take(ms: number): boolean {
    const now = nowMs();
    this.tokens = Math.min(SPIN_BURST_MS, this.tokens + (now - this.last) * SPIN_SHARE);
    this.last = now;
    if (this.tokens < ms) return false;
    this.tokens -= ms;
    return true;
  }
}

export interface RelayStats {
  /** Connections accepted since the last reset; open: connections open now. */
  connections: number;
  open: number;
  /** Payload bytes written on to the server (up) and to the clients (down) since the last reset. */
  bytesUp: number;
  bytesDown: number;
  /** TCP segments the model lost (each delivered one or more retransmission timeouts late). */
  segmentsLost: number;
  /** This process's CPU time (user + system) and the wall time since the last reset. */
  cpuUs: number;
  wallMs: number;
  /** |actual write time - scheduled departure| per write, in µs: late, or early by at most COARSE_TOLERANCE_MS. */
  latenessUs: { count: number; p50: number; p99: number; max: number };
  /**
   * Actual write time - the time the access link was done with the bytes: the delay and jitter really
   * applied, ordering waits and timer lateness included, writes delayed by a loss excluded.
   */
  appliedOneWayMs: { up: { count: number; mean: number }; down: { count: number; mean: number } };
  /** The mean one-way delay the profile asks for (rtt / 2, or its clamped mean under large jitter). */
  configuredOneWayMs: number;
  /** The most bytes one direction of one connection held at once (its queue + its socket's write buffer). */
  maxQueuedBytes: number;
}

interface Queued {
  /** null: the half-close (FIN). */
  data: Buffer | null;
  departAt: number;
  readyAt: number;
  lossDelayed: boolean;
}

class Meter {
  connections = 0;
  bytes = { up: 0, down: 0 };
  segmentsLost = 0;
  applied = { up: { count: 0, sum: 0 }, down: { count: 0, sum: 0 } };
  maxQueuedBytes = 0;
  lateness: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  cpu = process.cpuUsage();
  wallStart = nowMs();
}

/** One direction of one relayed connection: reads `from`, writes `to` at the model's departure times. */
class Direction {
  private readonly queue: Queued[] = [];
  private head = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** The departure a spin was paid for. */
  private spinningFor = NaN;
  private paused = false;
  private ended = false;

  constructor(
    private readonly kind: 'up' | 'down',
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly path: DirectionPath,
    private readonly meter: () => Meter,
    /** Set when sub-millisecond waits are spun out (PRECISE_UP_TO_ONE_WAY_MS). */
    private readonly spin: SpinBudget | null,
  ) {
    from.on('data', (chunk: Buffer) => this.onData(chunk));
    from.once('end', () => this.onEnd());
    to.on('drain', () => this.updateFlow());
  }

  private held(): number {
    return this.queuedBytes + this.to.writableLength;
  }

  private onData(chunk: Buffer): void {
    if (this.to.destroyed) return; // the receiver is gone: nothing can be delivered
    const pieces = this.path.schedule(nowMs(), chunk.length);
    let offset = 0;
    const m = this.meter();
    for (const p of pieces) {
      this.queue.push({
        data: chunk.subarray(offset, offset + p.bytes),
        departAt: p.departAt,
        readyAt: p.readyAt,
        lossDelayed: p.lossDelayed,
      });
      offset += p.bytes;
      m.segmentsLost += p.lost;
    }
    this.queuedBytes += chunk.length;
    m.maxQueuedBytes = Math.max(m.maxQueuedBytes, this.held());
    this.updateFlow();
    this.arm();
  }

  private onEnd(): void {
    const departAt = this.path.scheduleEnd(nowMs());
    this.queue.push({ data: null, departAt, readyAt: departAt, lossDelayed: false });
    this.arm();
  }

  /** Pauses the source above the high-water mark or while the destination asks to wait; resumes below the low one. */
  private updateFlow(): void {
    const held = this.held();
    if (!this.paused && (held > HIGH_WATER_BYTES || this.to.writableNeedDrain)) {
      this.paused = true;
      this.from.pause();
    } else if (this.paused && held < LOW_WATER_BYTES && !this.to.writableNeedDrain) {
      this.paused = false;
      this.from.resume();
    }
  }

  private arm(): void {
    if (this.timer || this.immediate || this.head >= this.queue.length || this.to.destroyed) return;
    const wait = this.queue[this.head]!.departAt - nowMs();
    // Never early: a coarse timer rounds up; a precise one stops short and waits out the rest,
    // paying the budget once per departure it spins for.
    const departAt = this.queue[this.head]!.departAt;
    const spinning =
      wait < 1 && this.spin !== null && (departAt === this.spinningFor || this.spin.take(Math.max(0, wait)));
    if (wait <= (this.spin ? 0 : COARSE_TOLERANCE_MS) || spinning) {
      this.spinningFor = departAt;
      this.immediate = setImmediate(() => this.flush());
    } else {
      this.timer = setTimeout(() => this.flush(), this.spin ? Math.floor(wait) : Math.round(wait));
    }
  }

  private flush(): void {
    this.timer = null;
    this.immediate = null;
    if (this.to.destroyed) return;
    const m = this.meter();
    const now = nowMs();
    this.to.cork();
    const tolerance = this.spin ? 0 : COARSE_TOLERANCE_MS;
    while (this.head < this.queue.length && this.queue[this.head]!.departAt <= now + tolerance) {
      const q = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as Queued; // let the buffer go
      // Early (coarse timers, by at most COARSE_TOLERANCE_MS) or late: the size of the timing error.
      m.lateness.recordValue(Math.round(Math.abs(now - q.departAt) * 1000));
      if (q.data === null) {
        this.ended = true;
        this.to.end();
        continue;
      }
      if (!q.lossDelayed) {
        m.applied[this.kind].count++;
        m.applied[this.kind].sum += now - q.readyAt;
      }
      this.queuedBytes -= q.data.length;
      m.bytes[this.kind] += q.data.length;
      if (!this.ended) this.to.write(q.data);
    }
    this.to.uncork();
    if (this.head >= this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    m.maxQueuedBytes = Math.max(m.maxQueuedBytes, this.held());
    this.updateFlow();
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.queue.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
  }
}

export class Relay {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly directions = new Set<Direction>();
  private readonly random: () => number;
  private meter = new Meter();
  private readonly spinBudget = new SpinBudget();
  private open = 0;

  constructor(
    private readonly profile: NetworkProfile,
    private readonly target: { host: string; port: number },
    options: { seed?: number } = {},
  ) {
    this.random = seededRandom(options.seed ?? 1);
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    this.server.on('error', () => {});
  }

  private accept(client: net.Socket): void {
    const accepted = nowMs();
    const upstream = net.connect({
      host: this.target.host,
      port: this.target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    client.setNoDelay(true);
    this.meter.connections++;
    this.open++;
    const meter = () => this.meter;
    const spin = this.profile.rttMs / 2 <= PRECISE_UP_TO_ONE_WAY_MS ? this.spinBudget : null;
    const up = new Direction(
      'up',
      client,
      upstream,
      new DirectionPath(directionParams(this.profile, 'up'), this.random, accepted + this.profile.rttMs),
      meter,
      spin,
    );
    const down = new Direction(
      'down',
      upstream,
      client,
      new DirectionPath(directionParams(this.profile, 'down'), this.random),
      meter,
      spin,
    );
    this.directions.add(up).add(down);
    let closed = 0;
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(socket);
      // A reset or error on one side resets the other: the connection is broken end to end.
      socket.on('error', () => {
        if (!other.destroyed) reset(other);
      });
      socket.once('close', () => {
        this.sockets.delete(socket);
        // Closed without its FIN reaching us (destroyed): nothing more can pass; close the other too.
        if (!socket.readableEnded && !other.destroyed) other.destroy();
        if (++closed === 2) {
          up.stop();
          down.stop();
          this.directions.delete(up);
          this.directions.delete(down);
          this.open--;
        }
      });
    }
  }

  /** Listens on an ephemeral port; resolves with it. */
  listen(host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  stats(reset: boolean): RelayStats {
    const m = this.meter;
    const cpu = process.cpuUsage(m.cpu);
    const h = m.lateness;
    const n = h.totalCount;
    const mean = (a: { count: number; sum: number }) => ({ count: a.count, mean: a.count ? a.sum / a.count : 0 });
    const stats: RelayStats = {
      connections: m.connections,
      open: this.open,
      bytesUp: m.bytes.up,
      bytesDown: m.bytes.down,
      segmentsLost: m.segmentsLost,
      cpuUs: cpu.user + cpu.system,
      wallMs: nowMs() - m.wallStart,
      latenessUs: {
        count: n,
        p50: n ? h.getValueAtPercentile(50) : 0,
        p99: n ? h.getValueAtPercentile(99) : 0,
        max: n ? h.maxValue : 0,
      },
      appliedOneWayMs: { up: mean(m.applied.up), down: mean(m.applied.down) },
      configuredOneWayMs: meanOneWayMs({ oneWayMs: this.profile.rttMs / 2, jitterMs: this.profile.jitterMs }),
      maxQueuedBytes: m.maxQueuedBytes,
    };
    if (reset) {
      m.lateness.destroy();
      this.meter = new Meter();
    }
    return stats;
  }

  /** Stops accepting, resets every relayed connection; resolves once every socket and the listener are closed. */
  async close(): Promise<void> {
    for (const d of this.directions) d.stop();
    const closed = [...this.sockets].map(
      (s) => new Promise((resolve) => (s.closed ? resolve(null) : s.once('close', resolve))),
    );
    // Reset, not FIN: the path is gone, and a half-open peer would otherwise wait for more.
    for (const s of this.sockets) reset(s);
    await Promise.all([...closed, new Promise<void>((resolve) => this.server.close(() => resolve()))]);
  }
}
