import { attachLongPoll } from './long-poll.ts';
import { attachShortPoll } from './short-poll.ts';
import { attachSse } from './sse.ts';
import { attachWs } from './ws.ts';
import type { Attach, TransportName } from './types.ts';

export const attachers: Record<TransportName, Attach> = {
  'short-poll': attachShortPoll,
  'long-poll': attachLongPoll,
  sse: attachSse,
  ws: attachWs,
};
export * from './types.ts';
