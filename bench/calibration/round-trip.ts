/**
 * The physical floor: sequential 8-byte echo round trips over raw TCP and raw WebSocket on loopback,
 * run in the same process layout (and pinning) as the jobs. Every delivery latency is read against
 * half of these (one way). With `idleMs`, every round trip starts after that much idle time: on a
 * VM an idle vCPU takes a while to wake (here ~50 µs hot vs ~300 µs after 200 ms idle), and at low
 * event rates every delivery is such a cold one, so that is the floor to read them against.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { newLatencyHistogram, summarize } from '../load/histogram.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import type { PercentileSummary } from '../result-schema.ts';

const MESSAGE = Buffer.from('pollbnch');

/**
 * Sequential ping-pong, driven from the reply callback itself: the next message goes out in the same
 * turn the reply is read, as a minimal hand-written client does. An earlier version awaited a new
 * promise and added a listener per round trip, which read 10-20 us above such a client: the floor
 * must not carry the harness's own overhead.
 */
function pingPong(
  total: number,
  warmup: number,
  idleMs: number,
  send: () => void,
  onReply: (reply: () => void) => void,
  record: (us: number, i: number) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let i = 0;
    let t0 = 0n;
    const next = () => {
      if (i >= total) return resolve();
      t0 = nowNs();
      send();
    };
    onReply(() => {
      const us = Number(nowNs() - t0) / 1000;
      record(us, i);
      i++;
      if (idleMs > 0 && i >= warmup && i < total) setTimeout(next, idleMs);
      else next();
    });
    if (idleMs > 0 && warmup === 0) setTimeout(next, idleMs);
    else next();
  });
}

/** `warmup` hot round trips, then the rest, each after `idleMs` of idle when idleMs > 0. */
async function tcpRoundTrips(
  port: number,
  total: number,
  warmup: number,
  record: (us: number, i: number) => void,
  idleMs: number,
): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      pingPong(
        total,
        warmup,
        idleMs,
        () => socket.write(MESSAGE),
        (reply) => {
          // The echo may arrive split: a round trip ends when all 8 bytes are back.
          let pending = 0;
          socket.on('data', (chunk: Buffer) => {
            pending += chunk.length;
            while (pending >= MESSAGE.length) {
              pending -= MESSAGE.length;
              reply();
            }
          });
        },
        record,
      ).then(resolve, reject);
    });
  } finally {
    socket.destroy();
  }
}

/** `warmup` hot round trips, then the rest, each after `idleMs` of idle when idleMs > 0. */
async function wsRoundTrips(
  port: number,
  total: number,
  warmup: number,
  record: (us: number, i: number) => void,
  idleMs: number,
): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      pingPong(
        total,
        warmup,
        idleMs,
        () => ws.send(MESSAGE),
        (reply) => ws.on('message', reply),
        record,
      ).then(resolve, reject);
    });
  } finally {
    ws.terminate();
  }
}

/** Round trips in µs after `warmup` unrecorded ones (the JIT warms the path first). */
export async function measureRoundTrip(
  kind: 'tcp' | 'ws',
  port: number,
  warmup: number,
  count: number,
  idleMs = 0,
): Promise<PercentileSummary> {
  const h = newLatencyHistogram();
  const record = (us: number, i: number) => {
    if (i >= warmup) h.recordValue(Math.max(1, Math.round(us)));
  };
  await (kind === 'tcp' ? tcpRoundTrips : wsRoundTrips)(port, warmup + count, warmup, record, idleMs);
  return summarize(h);
}
