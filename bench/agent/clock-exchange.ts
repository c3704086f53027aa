/**
 * The on-wire half of the clock offset (clock-offset.ts): a responder the orchestrator runs on the
 * publisher's host (its process reads the same CLOCK_MONOTONIC as the publisher: nowNs()), and the
 * agent's side that times sequential exchanges against it over one TCP connection.
 *
 * Plain TCP, not the broker: a Redis round trip is two hops each way through another process, which
 * only widens the bound. Each request is one byte; each answer is the responder's clock as 8 bytes
 * (unsigned, big-endian), read once on arrival (t1 = t2).
 */
import net from 'node:net';
import { nowNs } from '../../servers/contract/clock.ts';
import { estimateClockOffset, type ClockOffset, type Exchange } from './clock-offset.ts';

export interface ClockResponder {
  host: string;
  port: number;
  close(): Promise<void>;
}

export function startClockResponder(host: string): Promise<ClockResponder> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      // One answer per request byte; requests are sequential, so this is one at a time in practice.
      const answer = Buffer.alloc(8 * chunk.length);
      const t = nowNs();
      for (let i = 0; i < chunk.length; i++) answer.writeBigUInt64BE(t, 8 * i);
      socket.write(answer);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        host,
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * `count` sequential exchanges with the responder, each bounded by `timeoutMs` in all; the estimate
 * from the one with the smallest round trip.
 */
export function measureClockOffset(
  host: string,
  port: number,
  count: number,
  timeoutMs = 10_000,
): Promise<ClockOffset> {
  return new Promise((resolve, reject) => {
    const exchanges: Exchange[] = [];
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    let t0 = 0n;
    let pending = Buffer.alloc(0);
    const timer = setTimeout(
      () => finish(new Error(`clock exchange with ${host}:${port} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) return reject(err);
      try {
        resolve(estimateClockOffset(exchanges));
      } catch (e) {
        reject(e as Error);
      }
    };
    const ask = () => {
      t0 = nowNs();
      socket.write(Buffer.of(1));
    };
    socket.once('connect', ask);
    socket.on('data', (chunk: Buffer) => {
      const t3 = nowNs();
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 8) return;
      const t1 = pending.readBigUInt64BE(0);
      pending = pending.subarray(8);
      exchanges.push({ t0, t1, t2: t1, t3 });
      if (exchanges.length >= count) finish();
      else ask();
    });
    socket.once('error', (err) => finish(new Error(`clock exchange with ${host}:${port}: ${err.message}`)));
    socket.once('close', () => {
      if (exchanges.length < count) finish(new Error(`clock responder ${host}:${port} closed the connection`));
    });
  });
}
