/**
 * What a TLS connection costs before its first byte of application data, and what session resumption
 * saves a client that reconnects (a polling client whose keep-alive connection was closed): `count`
 * full handshakes, then `count` resumed ones, each offering the session of the connection before, in
 * sequence against a TLS echo server (servers/echo.ts). Bytes are the raw TCP socket's, as the bench
 * clients count them (bench/clients/tls-connect.ts): up = ClientHello to the client's Finished,
 * down = the server's flight. The session tickets the server sends after the handshake, and one
 * record's overhead (a 100-byte echo), are measured on the same connection and reported apart.
 */
import net from 'node:net';
import tls from 'node:tls';
import { newLatencyHistogram, summarize } from '../load/histogram.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import type { PercentileSummary } from '../result-schema.ts';

interface HandshakeFigures {
  /** Mean bytes per handshake (TCP payload): client to server, server to client. */
  bytesUp: number;
  bytesDown: number;
  /** TCP connect to secureConnect. */
  ms: PercentileSummary;
  /**
   * Mean bytes the server sent after its handshake flight besides the echo: the TLS 1.3 session tickets
   * (in a run they are part of bytesDown, not of the handshake counters). Node's server sends none
   * after a resumed handshake (measured), so a resumed client keeps offering the same ticket.
   */
  ticketBytesDown: number;
}

export interface TlsHandshakeCalibration {
  full: HandshakeFigures;
  resumed: HandshakeFigures & { resumedFraction: number };
  /**
   * TCP payload bytes one TLS record adds to the data it carries: a 100-byte write's socket bytes
   * less 100, client to server (the server's records use the same AEAD). TLS 1.3 with AES-GCM:
   * 5 header + 1 content type + 16 tag = 22.
   */
  recordOverheadBytes: number;
  /**
   * What the handshakes negotiated. The key exchange decides their size: Node 24 (OpenSSL 3.5) offers
   * the post-quantum hybrid X25519MLKEM768, whose key shares add about 1.2 KB up and 1.1 KB down to
   * every handshake, full or resumed, against Node 20's X25519. null where Node does not say (22).
   */
  negotiated: { protocol: string | null; cipher: string; group: string | null };
}

interface OneHandshake {
  up: number;
  down: number;
  us: number;
  tickets: number;
  resumed: boolean;
  session: Buffer | undefined;
  record: number;
  negotiated: TlsHandshakeCalibration['negotiated'];
}

const ECHO = Buffer.alloc(100, 0x61);
const TIMEOUT_MS = 10_000;

/**
 * One connection: the handshake, then one 100-byte echo, then destroyed (no close_notify sent). The
 * server writes its tickets before it reads the echo, so once the echo is back every ticket is in.
 */
async function handshakeOnce(
  port: number,
  secureContext: tls.SecureContext,
  session: Buffer | undefined,
): Promise<OneHandshake> {
  const raw = net.connect({ host: '127.0.0.1', port, noDelay: true });
  const timer = setTimeout(() => raw.destroy(new Error(`TLS calibration: no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  try {
    await new Promise<void>((resolve, reject) => raw.once('connect', resolve).once('error', reject));
    const t0 = nowNs();
    const socket = tls.connect({ socket: raw, host: '127.0.0.1', secureContext, session });
    let latest: Buffer | undefined;
    socket.on('session', (s: Buffer) => (latest = s));
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    const us = Number(nowNs() - t0) / 1000;
    const down = raw.bytesRead;
    const resumed = socket.isSessionReused();
    const key = socket.getEphemeralKeyInfo() as { name?: string } | null;
    const negotiated = { protocol: socket.getProtocol(), cipher: socket.getCipher().name, group: key?.name ?? null };
    // The client's Finished is written after the secureConnect callbacks (see bench/clients/tls-connect.ts).
    await new Promise((resolve) => setImmediate(resolve));
    const up = raw.bytesWritten;
    const echoed = new Promise<void>((resolve, reject) => {
      let got = 0;
      socket.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got >= ECHO.length) resolve();
      });
      socket.once('error', reject);
    });
    socket.write(ECHO);
    await echoed;
    const echoUp = raw.bytesWritten - up;
    const echoDown = raw.bytesRead - down;
    socket.destroy();
    // The echo comes back in the same records it went in (same size, same AEAD): the rest are tickets.
    return {
      up,
      down,
      us,
      tickets: echoDown - echoUp,
      resumed,
      session: latest,
      record: echoUp - ECHO.length,
      negotiated,
    };
  } finally {
    clearTimeout(timer);
    raw.destroy();
  }
}

function figures(all: OneHandshake[]): HandshakeFigures {
  const h = newLatencyHistogram();
  for (const one of all) h.recordValue(Math.max(1, Math.round(one.us)));
  const mean = (pick: (one: OneHandshake) => number) => all.reduce((s, one) => s + pick(one), 0) / all.length;
  return {
    bytesUp: mean((one) => one.up),
    bytesDown: mean((one) => one.down),
    ms: summarize(h, 1000),
    ticketBytesDown: mean((one) => one.tickets),
  };
}

export async function measureTlsHandshakes(port: number, ca: string, count: number): Promise<TlsHandshakeCalibration> {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`TLS handshake count must be a whole number >= 1, not ${count}`);
  // One secure context for every handshake, as each run client builds its own once: a context per
  // connection (passing \`ca\`) cost ~0.23 ms of every handshake's time, which run figures do not pay.
  const secureContext = tls.createSecureContext({ ca });
  const full: OneHandshake[] = [];
  for (let i = 0; i < count; i++) full.push(await handshakeOnce(port, secureContext, undefined));
  const resumed: OneHandshake[] = [];
  let session = full[full.length - 1]!.session;
  for (let i = 0; i < count; i++) {
    const one = await handshakeOnce(port, secureContext, session);
    resumed.push(one);
    session = one.session ?? session;
  }
  const all = [...full, ...resumed];
  return {
    full: figures(full),
    resumed: { ...figures(resumed), resumedFraction: resumed.filter((one) => one.resumed).length / count },
    recordOverheadBytes: all.reduce((s, one) => s + one.record, 0) / all.length,
    negotiated: full[0]!.negotiated,
  };
}
