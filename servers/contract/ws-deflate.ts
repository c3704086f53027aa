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
 */
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
  if (compression === undefined) return legacy ?? false;
  if (compression === 'off') return false;
  const noTakeover = compression === 'on-no-takeover';
  return { threshold: 0, serverNoContextTakeover: noTakeover, clientNoContextTakeover: noTakeover };
}
