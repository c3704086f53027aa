/**
 * The load-generator process. The orchestrator forks it per run and drives it over IPC; it never
 * runs in the server's event loop. It exits when its work is done, on SIGTERM, or when the parent
 * goes away (so a crashed orchestrator never leaves it behind).
 */
import { measureRoundTrip } from '../calibration/round-trip.ts';
import { measureTlsHandshakes } from '../calibration/tls-handshake.ts';
import { runJob } from './run-job.ts';
import type { FromLoad, ToLoad } from './ipc.ts';
import { childEntry } from '../child-entry.ts';
import { useClockOffset } from '../../servers/contract/clock.ts';

const { send, fatal } = childEntry<FromLoad>('load');
process.on('SIGTERM', () => process.exit(143));
process.on('disconnect', () => process.exit(0));

const waitingAt = new Map<string, (atNs: bigint | undefined) => void>();
let restarted: ((m: Extract<ToLoad, { type: 'server-restarted' }>) => void) | undefined;

process.on('message', (message: ToLoad) => {
  if (message.type === 'go') {
    waitingAt.get(message.checkpoint)?.(message.atNs === undefined ? undefined : BigInt(message.atNs));
    return;
  }
  if (message.type === 'server-restarted') {
    restarted?.(message);
    return;
  }
  void (async () => {
    try {
      if (message.type === 'calibrate') {
        const roundTripUs = await measureRoundTrip(
          message.kind,
          message.port,
          message.warmup,
          message.count,
          message.idleMs,
        );
        await send({ type: 'calibration', roundTripUs });
      } else if (message.type === 'calibrate-tls') {
        const handshakes = await measureTlsHandshakes(message.port, message.ca, message.count);
        await send({ type: 'tls-calibration', handshakes });
      } else {
        // An agent's stamps go on the publisher's clock before anything reads it (servers/contract/clock.ts).
        if (message.clock) useClockOffset(BigInt(message.clock.offsetNs));
        const target = {
          ...(message.host ? { host: message.host } : {}),
          port: message.port,
          serverPort: message.serverPort,
          serverTls: message.serverTls,
          ...(message.tls ? { tls: message.tls } : {}),
          ...(message.localAddresses ? { localAddresses: message.localAddresses } : {}),
        };
        const report = await runJob(
          target,
          BigInt(message.feedStartNs),
          message.params,
          message.timing,
          {
            progress: (phase, done, total) => void send({ type: 'progress', phase, done, total }),
            checkpoint: (name) =>
              new Promise<bigint | undefined>((resolve) => {
                waitingAt.set(name, resolve);
                void send({ type: 'checkpoint', name });
              }),
            windowEnded: (startNs, endNs) =>
              void send({ type: 'window-end', startNs: startNs.toString(), endNs: endNs.toString() }),
            restartServer: () =>
              new Promise((resolve) => {
                restarted = (m) => resolve({ killedNs: BigInt(m.killedNs), listeningNs: BigInt(m.listeningNs) });
                void send({ type: 'restart-server' });
              }),
          },
          message.slice,
        );
        await send({ type: 'result', report: message.clock ? { ...report, clock: message.clock } : report });
      }
      // Sent and flushed: leave the channel so the process exits by itself.
      process.disconnect();
    } catch (err) {
      fatal((err as Error).message);
    }
  })();
});

void send({ type: 'ready' });
