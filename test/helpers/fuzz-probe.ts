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

/** WebSocket close codes a server sends in its frames after a 101 (server frames are unmasked). */
function closeCodes(text: string): number[] {
  const head = text.indexOf('\r\n\r\n');
  if (!/^HTTP\/1\.1 101 /.test(text) || head === -1) return [];
  const codes: number[] = [];
  let i = head + 4;
  while (i + 2 <= text.length) {
    const opcode = text.charCodeAt(i) & 0x0f;
    let length = text.charCodeAt(i + 1) & 0x7f;
    let at = i + 2;
    if (length === 126) {
      length = (text.charCodeAt(at) << 8) | text.charCodeAt(at + 1);
      at += 2;
    } else if (length === 127) {
      length = 0;
      for (let k = 0; k < 8; k++) length = length * 256 + text.charCodeAt(at + k);
      at += 8;
    }
    if (at + length > text.length) break;
    if (opcode === 8 && length >= 2) codes.push((text.charCodeAt(at) << 8) | text.charCodeAt(at + 1));
    i = at + length;
  }
  return codes;
}

/** What is wrong with an answer, or undefined. */
export function judgeAnswer(answer: string, request: string): string | undefined {
  if (SERVER_ERROR.test(answer) && !SERVER_ERROR.test(request)) return 'a 5xx answer';
  for (const [what, pattern] of LEAKS)
    if (pattern.test(answer) && !pattern.test(request)) return `${what} in the answer`;
  if (closeCodes(answer).includes(1011)) return 'WebSocket close 1011 (internal error)';
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
    onData();
  });
  void closed.then(() => {
    if (!clientLeft) closedByServer = true;
    onData();
  });
  const result = (failure?: string): ProbeResult => ({
    failure: failure ?? judgeAnswer(answer, c.chunks.join('')),
    answered,
    closedByServer,
    answer,
  });
  try {
    const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    if (!(await within(Promise.race([connected, closed]), BOUND_MS))) return result('no connection within 5 s');
    if (socket.destroyed) return result(closedByServer ? undefined : 'connection refused');
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
              const check = () => (closeCodes(answer).length > 0 || socket.destroyed ? resolve() : undefined);
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
