/**
 * The load-generator process. The orchestrator forks it per run and drives it over IPC; it never
 * runs in the server's event loop. It exits when its work is done, on SIGTERM, or when the parent
 * goes away (so a crashed orchestrator never leaves it behind).
 */
import { measureRoundTrip } from '../calibration/round-trip.ts';
import { measureTlsHandshakes } from '../calibration/tls-handshake.ts';
import { runJob } from './run-job.ts';
import type { FromLoad, ToLoad } from './ipc.ts';

function send(message: FromLoad): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, undefined, {}, () => resolve());
  });
}

/** Reports a failure to the orchestrator and exits once the message is flushed (or after 1 s). */
function fatal(message: string): void {
  process.stderr.write(`pollbench load: ${message}\n`);
  setTimeout(() => process.exit(1), 1000).unref();
  void send({ type: 'fatal', message }).finally(() => process.exit(1));
}

if (!process.send) {
  process.stderr.write('pollbench load: this process is started by the orchestrator (npm run bench), not by hand\n');
  process.exit(2);
}

process.on('uncaughtException', (err) => fatal(`crashed: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) =>
  fatal(`crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
);
process.on('SIGTERM', () => process.exit(143));
process.on('disconnect', () => process.exit(0));

const waitingAt = new Map<string, () => void>();

process.on('message', (message: ToLoad) => {
  if (message.type === 'go') {
    waitingAt.get(message.checkpoint)?.();
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
        const target = {
          port: message.port,
          serverPort: message.serverPort,
          serverTls: message.serverTls,
          ...(message.tls ? { tls: message.tls } : {}),
        };
        const report = await runJob(target, BigInt(message.feedStartNs), message.params, message.timing, {
          progress: (phase, done, total) => void send({ type: 'progress', phase, done, total }),
          checkpoint: (name) =>
            new Promise<void>((resolve) => {
              waitingAt.set(name, resolve);
              void send({ type: 'checkpoint', name });
            }),
          windowEnded: (startNs, endNs) =>
            void send({ type: 'window-end', startNs: startNs.toString(), endNs: endNs.toString() }),
        });
        await send({ type: 'result', report });
      }
      // Sent and flushed: leave the channel so the process exits by itself.
      process.disconnect();
    } catch (err) {
      fatal((err as Error).message);
    }
  })();
});

void send({ type: 'ready' });
