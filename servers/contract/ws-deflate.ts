/**
 * Contract (servers/contract/). Imported by the WebSocket server (servers/transports/ws.ts) and client
 * (bench/clients/ws.ts), which must ask for the same thing: a ws server set to keep its context
 * refuses an offer of server_no_context_takeover, and the connection then runs uncompressed.
 *
 * permessage-deflate (RFC 7692) for a job's compression (wire-options.ts), set explicitly on both ends:
 * - threshold 0: ws's default (1024 bytes) would send every smaller event uncompressed;
 * - `on`: context takeover both ways (each message may refer back into the previous ones);
 * - `on-no-takeover`: server_no_context_takeover and client_no_context_takeover, each message alone.
 * ws's window bits (15) and zlib level stay at their defaults. Without a job compression the legacy
 * boolean applies, with ws's own defaults (threshold 1024, context takeover).
 *
 * Memory: each compressing connection holds a zlib deflate state of about 256 KiB (window 2x32 KiB,
 * hash chains 64 KiB, head 64 KiB, pending 64 KiB), with or without context takeover: without it ws
 * resets the same state after each message instead of freeing it. Measured (server process RSS after
 * gc, 300 WebSocket clients at 20 events/s of 256 B text, minus the same server before they
 * connected, twice): 5.5-8.5 KiB a connection uncompressed, 253-255 KiB with takeover, 231-282 KiB
 * without; V8's `external` grows only 16 KiB a connection (zlib's own state is allocated natively
 * and shows in RSS alone).
 */
import { isCompressed } from './compressed.ts';
import type { Compression } from './wire-options.ts';

interface DeflateOptions {
  threshold: number;
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
}

export function perMessageDeflateFor(
  compression: Compression | undefined,
  legacy: boolean | undefined,
): boolean | DeflateOptions {
  // A job's compression is never undefined ('off' by default): 'off' keeps the legacy boolean, else a
  // scenario's perMessageDeflate: true would run uncompressed under the id 'ws+deflate'.
  if (!isCompressed(compression)) return legacy ?? false;
  const noTakeover = compression === 'on-no-takeover';
  return { threshold: 0, serverNoContextTakeover: noTakeover, clientNoContextTakeover: noTakeover };
}
