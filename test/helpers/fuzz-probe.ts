/**
 * Sends one fuzz case (fuzz-case.ts) over a raw TCP socket and judges what came back: the answer or
 * the close within a bound, no 5xx (nor WebSocket close 1011), nothing of a stack trace or a file path.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST } from './harness.ts';
import type { FuzzCase } from './fuzz-case.ts';

/** The bound on every wait for the server: an answer, a close. */
export const BOUND_MS = 5000;

/** What is kept of an answer to judge it (a catch-up or a stream can be long; the head is what matters). */
const KEEP_BYTES = 64 * 1024;

/** What the server let out that only its internals hold (each unless the request itself had it). */
const LEAKS: readonly [string, RegExp][] = [
  ['a stack frame', /^\s+at \S/m],
  ['an error name', /\b[A-Za-z]*Error:/],
  ['a source path', /(?:\/[\w.@-]+){2,}\.(?:[cm]?[jt]s|json)\b/],
  ['node internals', /node:internal|file:\/\//],
];

/** Anywhere: a pipelined answer's status line follows the previous body directly. */
const SERVER_ERROR = /HTTP\/\d(?:\.\d)? 5\d\d\b/;

/**
 * Reads a server's WebSocket frames as they arrive (after a 101; server frames are unmasked) and
 * keeps the close codes: the whole stream, however long, holding only a frame's worth of bytes.
 */
class CloseCodes {
  readonly codes: number[] = [];
  private pending = '';
  /** undefined while the answer's head is being read; then whether it was a 101. */
  private upgraded: boolean | undefined;

  push(chunk: string): void {
    this.pending += chunk;
    if (this.upgraded === undefined) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end === -1) {
        if (!'HTTP/1.1 101 '.startsWith(this.pending.slice(0, 13))) this.upgraded = false;
        return;
      }
      this.upgraded = this.pending.startsWith('HTTP/1.1 101 ');
      this.pending = this.pending.slice(end + 4);
    }
    if (!this.upgraded) return void (this.pending = '');
    for (;;) {
      const p = this.pending;
      if (p.length < 2) return;
      const opcode = p.charCodeAt(0) & 0x0f;
      let length = p.charCodeAt(1) & 0x7f;
      let at = 2;
      if (length === 126) {
        if (p.length < 4) return;
        length = (p.charCodeAt(2) << 8) | p.charCodeAt(3);
        at = 4;
      } else if (length === 127) {
        if (p.length < 10) return;
        length = 0;
        for (let k = 2; k < 10; k++) length = length * 256 + p.charCodeAt(k);
        at = 10;
      }
      if (p.length < at + length) return;
      if (opcode === 8 && length >= 2) this.codes.push((p.charCodeAt(at) << 8) | p.charCodeAt(at + 1));
      this.pending = p.slice(at + length);
    }
  }
}

function closeCodes(answer: string): number[] {
  const reader = new CloseCodes();
  reader.push(answer);
  return reader.codes;
}

/** What is wrong with an answer, or undefined. */
export function judgeAnswer(answer: string, request: string, codes = closeCodes(answer)): string | undefined {
  if (SERVER_ERROR.test(answer) && !SERVER_ERROR.test(request)) return 'a 5xx answer';
  for (const [what, pattern] of LEAKS)
    if (pattern.test(answer) && !pattern.test(request)) return `${what} in the answer`;
  if (codes.includes(1011)) return 'WebSocket close 1011 (internal error)';
  return undefined;
}

export interface ProbeResult {
  /** Why the case fails, or undefined. */
  failure: string | undefined;
  /** The server answered (any byte) before the client left. */
  answered: boolean;
  /** The server closed the connection before the client went. */
  closedByServer: boolean;
  /** What came back, at most KEEP_BYTES of it, latin1. */
  answer: string;
}

/** Resolves true when `promise` settles within `ms`, false otherwise (never rejects). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function probe(port: number, c: FuzzCase): Promise<ProbeResult> {
  const socket = net.connect({ host: HOST, port, noDelay: true });
  let answer = '';
  const frames = new CloseCodes();
  let answered = false;
  let closedByServer = false;
  let clientLeft = false;
  let onData: () => void = () => undefined;
  const firstData = new Promise<void>((resolve) => (onData = resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  // The server may reset us, or close before we are done writing: both are the server closing.
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    answered = true;
    if (answer.length < KEEP_BYTES) answer += chunk.toString('latin1', 0, KEEP_BYTES - answer.length);
    frames.push(chunk.toString('latin1'));
    onData();
  });
  void closed.then(() => {
    if (!clientLeft) closedByServer = true;
    onData();
  });
  const result = (failure?: string): ProbeResult => ({
    failure: failure ?? judgeAnswer(answer, c.chunks.join(''), frames.codes),
    answered,
    closedByServer,
    answer,
  });
  try {
    let isConnected = false;
    const connected = new Promise<void>((resolve) =>
      socket.once('connect', () => {
        isConnected = true;
        resolve();
      }),
    );
    if (!(await within(Promise.race([connected, closed]), BOUND_MS))) return result('no connection within 5 s');
    if (!isConnected) return result('the connection was refused');
    for (const [i, chunk] of c.chunks.entries()) {
      if (socket.destroyed) break;
      if (i > 0) await sleep(1);
      socket.write(Buffer.from(chunk, 'latin1'));
    }
    if (c.ending === 'reset' || c.ending === 'destroy') {
      // 0: in the same tick as the last write, so the server reads the bytes and the reset together.
      if (c.pauseMs > 0) await sleep(c.pauseMs);
      clientLeft = true;
      if (c.ending === 'reset' && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
      return result();
    }
    if (c.ending === 'await') {
      // Frames the server must refuse: its close frame or the connection's end, not just events.
      const refused =
        c.kind === 'frames'
          ? new Promise<void>((resolve) => {
              const check = () => (frames.codes.length > 0 || socket.destroyed ? resolve() : undefined);
              socket.on('data', check);
              void closed.then(resolve);
              check();
            })
          : firstData;
      if (!(await within(refused, BOUND_MS)))
        return result(
          c.kind === 'frames'
            ? 'no close within 5 s of a frame the server must refuse'
            : 'neither an answer nor a close within 5 s',
        );
    }
    if (!socket.destroyed) socket.end();
    if (!(await within(closed, BOUND_MS))) return result('not closed within 5 s of the client half-closing');
    return result();
  } finally {
    clientLeft = true;
    socket.destroy();
  }
}
