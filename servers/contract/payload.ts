/**
 * Contract (servers/contract/). Imported by the publisher (bench/publisher/feed.ts), which makes every
 * event's payload, and the tests.
 *
 * What an event's payload holds (wire-options.ts payloadContent). Every payload is exactly `bytes`
 * characters, each one byte on every wire: `text` and JSON's `random` use only printable ASCII that
 * JSON does not escape, so an event's JSON, its binary record and its byte counts have the same size
 * whatever the content (the same as makePayload's old repeated alphabet: same length, nothing
 * escaped). Each event gets its own payload (seeded by its seq, repeating only far beyond any
 * compressor's window: payloadSource), deterministic run to run: one payload repeated would let a
 * compressor with context takeover send every event after the first as a single back-reference.
 */
import type { EventEncoding, PayloadContent } from './wire-options.ts';
import { mulberry32 } from './prng.ts';

const TICKERS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA', 'TSLA', 'META', 'NFLX', 'ORCL', 'INTC', 'AMD', 'IBM', 'SAP'];
const VENUES = ['XNAS', 'XNYS', 'BATS', 'ARCX', 'XETR', 'XLON'];
const SIDES = ['buy', 'sell'];
const WORDS = (
  'market open close update trade quote bid ask price volume index rally slump earnings guidance ' +
  'outlook report quarter revenue margin growth forecast analyst upgrade downgrade target session ' +
  'trader desk order fill partial cancel halt resume breaking news wire alert comment user thread ' +
  'reply score goal match team player minute weather storm warning traffic delay route station'
).split(' ');

/**
 * A live feed's record as text: `key=value` pairs of tickers, prices, sizes, timestamps, ids and a
 * few words of headline, separated by `;`, records by `|`, repeated until `bytes` and cut there.
 *
 * Compressibility, measured with node:zlib at its default level on payloads of seq 1..200
 * (test/unit/payload.test.ts pins the ranges), compressed size / original:
 * - gzip alone per payload: 256 B 0.75 (the 18-byte gzip envelope weighs), 1 KiB 0.47, 16 KiB 0.28;
 * - raw deflate alone per payload (permessage-deflate without context takeover): 0.68, 0.46, 0.28;
 * about what JSON market and chat feeds compress to (2-4x), unlike makePayload's repeated alphabet
 * (gzip 0.33, 0.09, 0.009) or `random` (binary bytes 1.00 or more; JSON's 64 letters 0.87, 0.78, 0.75).
 */
export function makeTextPayload(bytes: number, seed: number): string {
  const next = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[next() % list.length]!;
  const parts: string[] = [];
  let length = 0;
  // Timestamps advance from a per-seed start, as a real feed's do.
  let ts = 1_700_000_000_000 + (next() % 1_000_000_000);
  while (length < bytes) {
    ts += next() % 500;
    const price = (10 + (next() % 99_000) / 100).toFixed(2);
    const words = Array.from({ length: 2 + (next() % 4) }, () => pick(WORDS)).join(' ');
    const record =
      `sym=${pick(TICKERS)};px=${price};qty=${(1 + (next() % 50)) * 100};side=${pick(SIDES)};` +
      `venue=${pick(VENUES)};ts=${ts};id=${next().toString(36)};msg=${words}|`;
    parts.push(record);
    length += record.length;
  }
  return parts.join('').slice(0, bytes);
}

/** 64 letters JSON never escapes: a uniformly random one carries exactly 6 bits, so no coder gets below 6/8. */
const JSON_SAFE_64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Incompressible content: for the binary encoding, uniformly random bytes (latin1 characters 0-255;
 * the upstream wire's JSON escapes the control characters, so its line stays newline-free, and the
 * binary record carries the bytes themselves); for JSON, uniformly random letters of a 64-letter
 * alphabet JSON does not escape (random bytes would be escaped to up to 6 characters each, and the
 * payload would no longer be `bytes` long on the wire).
 */
export function makeRandomPayload(bytes: number, seed: number, encoding: EventEncoding): string {
  const next = mulberry32(seed);
  const chars = new Array<string>(bytes);
  if (encoding === 'binary') for (let i = 0; i < bytes; i++) chars[i] = String.fromCharCode(next() & 0xff);
  else for (let i = 0; i < bytes; i++) chars[i] = JSON_SAFE_64[next() & 63]!;
  return chars.join('');
}

/** Distinct payloads at least this many bytes in all before one repeats (see payloadSource). */
const CYCLE_BYTES = 256 * 1024;
const MAX_CYCLE = 4096;

/**
 * Every event's payload for a feed (content and encoding default to text and json). Payloads repeat
 * after `cycle` events, each made once: a text payload costs ~20 µs to make (256 B), too much for the
 * publisher at thousands of events a second. A repeat lies at least 64 KiB of events back (256 KiB
 * of payloads, or 4096 events of at least a 16-byte envelope each), beyond the 32 KiB window of
 * deflate (gzip, permessage-deflate), so no compressor here can refer to it.
 */
export function payloadSource(spec: {
  payloadBytes: number;
  payloadContent?: PayloadContent;
  encoding?: EventEncoding;
}): (seq: number) => string {
  const bytes = spec.payloadBytes;
  const cycle = bytes === 0 ? 1 : Math.min(MAX_CYCLE, Math.ceil(CYCLE_BYTES / bytes));
  const make = (seed: number) =>
    (spec.payloadContent ?? 'text') === 'random'
      ? makeRandomPayload(bytes, seed, spec.encoding ?? 'json')
      : makeTextPayload(bytes, seed);
  const made = new Map<number, string>();
  return (seq) => {
    const seed = ((seq - 1) % cycle) + 1;
    let payload = made.get(seed);
    if (payload === undefined) made.set(seed, (payload = make(seed)));
    return payload;
  };
}
