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
import { nowNs } from '../clock.ts';
import type { PercentileSummary } from '../result-schema.ts';

const MESSAGE = Buffer.from('pollbnch');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `warmup` hot round trips, then the rest, each after `idleMs` of idle when idleMs > 0. */
async function tcpRoundTrips(port: number, total: number, warmup: number, record: (us: number, i: number) => void, idleMs: number): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  try {
    for (let i = 0; i < total; i++) {
      if (idleMs > 0 && i >= warmup) await sleep(idleMs);
      const t0 = nowNs();
      socket.write(MESSAGE);
      // The echo may arrive split; wait for all 8 bytes.
      await new Promise<void>((resolve, reject) => {
        let got = 0;
        const onData = (chunk: Buffer) => {
          got += chunk.length;
          if (got >= MESSAGE.length) {
            socket.off('data', onData).off('error', reject);
            resolve();
          }
        };
        socket.on('data', onData).once('error', reject);
      });
      record(Number(nowNs() - t0) / 1000, i);
    }
  } finally {
    socket.destroy();
  }
}

/** `warmup` hot round trips, then the rest, each after `idleMs` of idle when idleMs > 0. */
async function wsRoundTrips(port: number, total: number, warmup: number, record: (us: number, i: number) => void, idleMs: number): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
  try {
    for (let i = 0; i < total; i++) {
      if (idleMs > 0 && i >= warmup) await sleep(idleMs);
      const t0 = nowNs();
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve());
        ws.send(MESSAGE, (err) => err && reject(err));
      });
      record(Number(nowNs() - t0) / 1000, i);
    }
  } finally {
    ws.terminate();
  }
}

/** Round trips in µs after `warmup` unrecorded ones (the JIT warms the path first). */
export async function measureRoundTrip(kind: 'tcp' | 'ws', port: number, warmup: number, count: number, idleMs = 0): Promise<PercentileSummary> {
  const h = newLatencyHistogram();
  const record = (us: number, i: number) => {
    if (i >= warmup) h.recordValue(Math.max(1, Math.round(us)));
  };
  await (kind === 'tcp' ? tcpRoundTrips : wsRoundTrips)(port, warmup + count, warmup, record, idleMs);
  return summarize(h);
}
