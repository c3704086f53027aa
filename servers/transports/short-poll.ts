/**
 * Short polling: `GET /events?since=<seq>` answers at once with every held event after `seq`,
 * `[]` when nothing is new. The client decides the schedule; the server keeps no per-client state.
 */
import { EVENTS_PATH, encodeEventList, parseSince } from '../contract/protocol.ts';
import { queryOf, sendError, sendJson } from '../http-host.ts';
import type { Attach } from './types.ts';

export const attachShortPoll: Attach = (host, feed) => {
  host.get(EVENTS_PATH, (req, res) => {
    const since = parseSince(queryOf(req).get('since'));
    if (!since.ok) return sendError(res, 400, 'bad_request', since.message);
    sendJson(res, 200, encodeEventList(feed.ring.since(since.value).map((e) => e.json)));
  });
  return { gauges: () => ({}), close() {} };
};
