/**
 * Contract (servers/contract/). Imported by the HTTP compression of the servers (servers/http-compression.ts),
 * permessage-deflate's settings (ws-deflate.ts) and the clients (bench/clients/): one reading of a job's
 * compression for both ends. Free of zod (wire-options.ts holds the schema), so the load generator's
 * bundle stays without it.
 */
import type { Compression } from './wire-options.ts';

/** Whether a job compresses (`on` or `on-no-takeover`); absent is the original behaviour, off. */
export function isCompressed(compression: Compression | undefined): boolean {
  return compression !== undefined && compression !== 'off';
}
