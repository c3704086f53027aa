/**
 * Contract (servers/contract/). Imported by the server's upstream client (servers/upstream.ts) and the
 * publisher's listener (bench/publisher/upstream-server.ts), the two ends of this wire.
 *
 * The upstream feed's wire contract: how a feed server gets its events from a publisher outside its
 * process (bench/publisher/ speaks the other end). One TCP connection, newline-terminated lines:
 *
 *   server -> publisher   `resume <seq>`  once, right after connecting: the last seq the server holds
 *                                         (0 for a fresh server)
 *   publisher -> server   one event per line, exactly as encodeEvent() encodes it (the JSON every
 *                         transport sends): first every held event after <seq>, oldest first, then
 *                         each new event as it is published
 *
 * encodeEvent() output never contains a newline (the payload is a JSON string), so a line is an
 * event. The server keeps the line as the entry's `json`, so no event is ever encoded twice. A server
 * whose upstream drops reconnects and resumes from its newest seq, so it misses nothing the publisher
 * still holds.
 */
import { MAX_PAYLOAD_BYTES, parseSince, type ParseResult } from './protocol.ts';

const RESUME = 'resume ';

/** Longest line either end accepts: a 1 MiB payload plus its envelope, with room to spare. */
export const MAX_LINE_CHARS = MAX_PAYLOAD_BYTES + 4096;

export function encodeResume(lastSeq: number): string {
  return `${RESUME}${lastSeq}\n`;
}

export function parseResume(line: string): ParseResult<number> {
  if (!line.startsWith(RESUME))
    return { ok: false, message: `expected 'resume <seq>', got ${JSON.stringify(line.slice(0, 40))}` };
  return parseSince(line.slice(RESUME.length));
}

/** Event lines to write in one go (one write per batch: a burst arrives as one chunk). */
export function encodeEventLines(jsons: readonly string[]): string {
  return jsons.length === 0 ? '' : `${jsons.join('\n')}\n`;
}

/** Splits a stream of text chunks into lines; bounded, so a peer cannot make it buffer forever. */
export class LineReader {
  private pending = '';

  /** The complete lines in `chunk` (after what was pending); throws on a line over MAX_LINE_CHARS. */
  push(chunk: string): string[] {
    const text = this.pending + chunk;
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lines.push(text.slice(start, nl));
      start = nl + 1;
    }
    this.pending = text.slice(start);
    if (this.pending.length > MAX_LINE_CHARS)
      throw new RangeError(`feed line longer than ${MAX_LINE_CHARS} characters`);
    return lines;
  }
}
