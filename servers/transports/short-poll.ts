/**
 * Short polling: `GET /events?since=<seq>` answers at once with every held event after `seq` (at
 * most a catch-up page of them, servers/catch-up.ts), `[]` when nothing is new (in the binary
 * encoding an empty body; gzip when compression is on). The client decides the schedule; the server
 * keeps no per-client state.
 */
import { EVENTS_PATH, parseSince } from '../contract/protocol.ts';
import { queryOf, sendError } from '../http-host.ts';
import { pollBody } from '../event-body.ts';
import { sendPollAnswer } from '../http-compression.ts';
import type { Attach } from './types.ts';
import { markCapped, pollPage } from '../catch-up.ts';

export const attachShortPoll: Attach = (host, feed, options) => {
  const maxEvents = options.limits.catchUpMaxEvents;
  host.get(EVENTS_PATH, (req, res) => {
    const since = parseSince(queryOf(req).get('since'));
    if (!since.ok) return sendError(res, 400, 'bad_request', since.message);
    const page = pollPage(feed, since.value, maxEvents);
    if (page.more) markCapped(res, host.counters);
    sendPollAnswer(req, res, pollBody(page.entries, options.encoding), options.compression);
  });
  return { gauges: () => ({}), close() {} };
};
