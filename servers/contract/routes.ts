/**
 * Contract (servers/contract/). Re-exported by protocol.ts, where the servers and clients import them.
 *
 * Routes. The express/node:http twins serve the first two; the ws server upgrades on WS_PATH. In a file
 * of their own because the transport registry (transport-traits.ts) names the prewarm path and
 * protocol.ts re-exports the registry's names: importing protocol.ts from there would be a cycle.
 */
export const EVENTS_PATH = '/events';
export const STREAM_PATH = '/stream';
export const WS_PATH = '/ws';
/** Upstream messages over HTTP (upstream-message.ts): POST a message, the answer is its echo. */
export const MESSAGES_PATH = '/messages';
