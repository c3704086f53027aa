/**
 * Puts a run's network path between its clients and its server: the reverse proxy in front of the
 * server (bench/proxy/), then the network emulator in front of that (bench/network/), so that
 * clients -> emulated network -> proxy -> server, as a user's browser reaches a deployment. Started
 * after the server (both need the port behind them) and stopped with it. The direct loopback path
 * starts nothing: clients connect to the server itself.
 */
import { ManagedChild } from './child.ts';
import { addsNothing } from './network/profiles.ts';
import type { FromRelay, ToRelay } from './network/ipc.ts';
import type { RelayStats } from './network/relay.ts';
import { startNginx, type RunningProxy } from './proxy/nginx.ts';
import type { TlsMaterial } from './tls/certificate.ts';
import type { JobParams } from './result-schema.ts';

const START_TIMEOUT_MS = 30_000;
const STATS_TIMEOUT_MS = 10_000;

type RelayChild = ManagedChild<ToRelay, FromRelay>;

export interface RunningPath {
  /** Where the run's clients connect. */
  clientPort: number;
  /** Where the emulator runs (taskset CPU list), null when not pinned or when there is none. */
  emulatorCpus: string | null;
  proxy: RunningProxy | null;
  /** The emulator's figures since its last reset (null without an emulator). */
  emulatorStats(reset: boolean, signal: AbortSignal): Promise<RelayStats | null>;
  stop(): Promise<void>;
}

export interface PathOptions {
  params: JobParams;
  serverPort: number;
  tls: TlsMaterial | null;
  /** The nginx the plan found (bench/path-tools.ts preparePaths). */
  nginx?: { path: string; version: string } | null;
  /** CPUs for the proxy (beside the server it fronts) and for the emulator (see startPath). */
  proxyCpus: string | null;
  emulatorCpus: string | null;
  signal: AbortSignal;
}

/** Whether a job's server serves TLS itself: it does unless a proxy in front terminates TLS for it. */
export function serverTerminatesTls(params: JobParams): boolean {
  return params.tls && params.proxy === 'none';
}

export async function startPath(o: PathOptions): Promise<RunningPath> {
  const { params } = o;
  let proxy: RunningProxy | null = null;
  let relay: RelayChild | null = null;
  const stop = async () => {
    await Promise.all([relay?.stop(), proxy?.stop()]);
  };
  try {
    let target = o.serverPort;
    if (params.proxy === 'nginx') {
      proxy = await startNginx({
        upstream: { host: '127.0.0.1', port: o.serverPort },
        ...(params.tls && o.tls ? { tls: o.tls } : {}),
        longPollWaitMs: params.longPollWaitMs,
        http: params.http,
        maxClients: params.clients,
        cpus: o.proxyCpus,
        ...(o.nginx ? { binary: o.nginx } : {}),
      });
      target = proxy.port;
    }
    if (!addsNothing(params.network)) {
      relay = new ManagedChild<ToRelay, FromRelay>(
        'network emulator',
        './network/main.ts',
        [JSON.stringify({ profile: params.network, target: { host: '127.0.0.1', port: target } })],
        o.emulatorCpus,
      );
      target = (await relay.waitFor('ready', START_TIMEOUT_MS, o.signal)).port;
    }
    let statsId = 0;
    const emulator = relay;
    return {
      clientPort: target,
      emulatorCpus: emulator ? o.emulatorCpus : null,
      proxy,
      async emulatorStats(reset, signal) {
        if (!emulator) return null;
        const id = ++statsId;
        emulator.send({ type: 'stats', id, reset });
        for (;;) {
          const answer = await emulator.waitFor('stats', STATS_TIMEOUT_MS, signal);
          if (answer.id === id) return answer.stats;
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
