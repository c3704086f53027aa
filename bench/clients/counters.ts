/** Arithmetic on ClientCounters: one zero, one sum, one difference for every counter there is. */
import type { ClientCounters } from './types.ts';

export function zeroCounters(): ClientCounters {
  return {
    bytesUp: 0,
    bytesDown: 0,
    tcpConnects: 0,
    httpRequests: 0,
    httpResponses: 0,
    emptyResponses: 0,
    wsHandshakes: 0,
    reconnects: 0,
    messageBytesDown: 0,
    eventsReceived: 0,
    errors: 0,
    skippedPolls: 0,
    catchUpPages: 0,
    droppedAsSlow: 0,
    tlsHandshakes: 0,
    tlsResumedHandshakes: 0,
    tlsHandshakeBytesUp: 0,
    tlsHandshakeBytesDown: 0,
    tlsHandshakeUs: 0,
    messagesSent: 0,
    echoesReceived: 0,
    messageSocketBytesUp: 0,
    messageSocketBytesDown: 0,
    messageChannelBytesUp: 0,
    messageChannelBytesDown: 0,
    skippedSends: 0,
  };
}

export function sumCounters(all: readonly { counters(): ClientCounters }[]): ClientCounters {
  const total = zeroCounters();
  for (const c of all) {
    const counters = c.counters();
    for (const key of Object.keys(total) as (keyof ClientCounters)[]) total[key] += counters[key];
  }
  return total;
}

export function diffCounters(a: ClientCounters, b: ClientCounters): ClientCounters {
  const out = { ...b };
  for (const key of Object.keys(out) as (keyof ClientCounters)[]) out[key] = b[key] - a[key];
  return out;
}
