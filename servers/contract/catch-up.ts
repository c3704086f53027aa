/**
 * Contract (servers/contract/). Imported by the polling transports (servers/catch-up.ts) and their
 * clients (bench/clients/poll-request.ts).
 *
 * A poll answer carries at most the server's `catchUpMaxEvents` (server-limits.ts), the oldest first.
 * A capped answer says so with this header, so the client asks again at once instead of waiting a
 * poll interval (that wait would be billed as delivery latency). Only capped answers carry it: an
 * ordinary answer keeps its exact bytes.
 */
export const MORE_EVENTS_HEADER = 'x-more-events';
