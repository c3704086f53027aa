import { createLongPollClient } from './long-poll.ts';
import { createShortPollClient } from './short-poll.ts';
import { createSseClient } from './sse.ts';
import { createWsClient } from './ws.ts';
import type { ClientFactory, TransportName } from './types.ts';

/** The driver picks a factory by name and never looks at the transport again. */
export const clientFactories: Record<TransportName, ClientFactory> = {
  'short-poll': createShortPollClient,
  'long-poll': createLongPollClient,
  sse: createSseClient,
  ws: createWsClient,
};
export type { TransportClient, ClientOptions, TransportName } from './types.ts';
