/**
 * TLS over a TCP socket the client opens itself, so that the ledger holds the raw socket: a
 * TLSSocket's bytesRead/bytesWritten count plaintext, the raw socket's count TCP payload, TLS records
 * included (measured: 10 echoes of 100 bytes read 1000 on the TLSSocket, 2577 on the raw socket,
 * 2577 in a tcpdump capture of the same connection).
 */
import net from 'node:net';
import type tls from 'node:tls';
import type { SocketLedger } from './socket-ledger.ts';
import { nowNs } from '../../servers/contract/clock.ts';

/** Opens a TCP connection, in the ledger once connected (a refused attempt is an error, not a connection). */
export function openTcp(
  host: string,
  port: number,
  timeoutMs: number,
  ledger: SocketLedger,
  localAddress?: string,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, ...(localAddress !== undefined && { localAddress }) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TCP connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      ledger.add(socket);
      resolve(socket);
    });
  });
}

/**
 * Runs the TLS handshake `start` begins on `raw` (connected just now, already in the ledger) and records
 * it: time from TCP connect to secureConnect, bytes down read at secureConnect (the server's whole
 * flight; nothing else can arrive before the client's Finished), bytes up read one event-loop turn
 * later. The client's Finished is written after the secureConnect callbacks return (measured: 367
 * bytes at secureConnect and in the next tick, 447 at setImmediate, equal to what the server read),
 * so the socket is handed over only then: nothing of the application's is on it yet.
 */
export function secureOver(
  raw: net.Socket,
  ledger: SocketLedger,
  timeoutMs: number,
  start: (done: (err: Error | null, socket?: tls.TLSSocket) => void) => void,
): Promise<tls.TLSSocket> {
  const tcpNs = nowNs();
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      raw.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`TLS handshake timed out after ${timeoutMs} ms`)), timeoutMs);
    start((err, socket) => {
      if (err || !socket) return fail(err ?? new Error('TLS handshake failed'));
      if (settled) return void socket.destroy();
      const secureNs = nowNs();
      const bytesDown = raw.bytesRead;
      const resumed = socket.isSessionReused();
      clearTimeout(timer);
      setImmediate(() => {
        if (settled) return;
        settled = true;
        ledger.recordTlsHandshake({
          bytesUp: raw.bytesWritten,
          bytesDown,
          us: Number(secureNs - tcpNs) / 1000,
          resumed,
        });
        if (socket.destroyed) reject(new Error('TLS connection closed right after its handshake'));
        else resolve(socket);
      });
    });
  });
}
