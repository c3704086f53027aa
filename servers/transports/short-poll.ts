/**
 * Short polling: `GET /events?since=<seq>` answers at once with every held event after `seq`,
 * `[]` when nothing is new (in the binary encoding an empty body; gzip when compression is on). The client decides the schedule; the server keeps no per-client state.
 */
import { EVENTS_PATH, parseSince } from '../contract/protocol.ts';
import { queryOf, sendError } from '../http-host.ts';
import { pollBody } from '../event-body.ts';
import { sendPollAnswer } from '../http-compression.ts';
import type { Attach } from './types.ts';

export const attachShortPoll: Attach = (host, feed, options) => {
  host.get(EVENTS_PATH, (req, res) => {
    const since = parseSince(queryOf(req).get('since'));
    if (!since.ok) return sendError(res, 400, 'bad_request', since.message);
    sendPollAnswer(req, res, pollBody(feed.ring.since(since.value), options.encoding), options.compression);
  });
  return { gauges: () => ({}), close() {} };
};
