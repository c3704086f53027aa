/**
 * A hand-built result over network paths, for report tests: the transports of tinyResult on three
 * paths (direct loopback, 4g, and 4g with TLS behind nginx), each job's latency given here so a test
 * can work out what a chart or headline must show. Context and calibration carry path facts with
 * markup in them, to check they are escaped. No bench is run.
 */
import { pathLabel, type PathParams } from '../../bench/network-path.ts';
import { parseResult, type Result } from '../../bench/result-schema.ts';
import { tinyResult, TINY_PARAMETER_SET, type TinyJob } from './tiny-result.ts';

export const FOUR_G: PathParams['network'] = {
  name: '4g',
  rttMs: 150,
  jitterMs: 0,
  downKbps: 1600,
  upKbps: 750,
  lossPct: 0,
};
const LOOPBACK: PathParams['network'] = {
  name: 'loopback',
  rttMs: 0,
  jitterMs: 0,
  downKbps: null,
  upKbps: null,
  lossPct: 0,
};

export const PATHS: PathParams[] = [
  { network: LOOPBACK, tls: false, proxy: 'none' },
  { network: FOUR_G, tls: false, proxy: 'none' },
  { network: FOUR_G, tls: true, proxy: 'nginx' },
];

/**
 * PATHS and the TLS-only twin (4g with TLS, no proxy): with it every path axis has a pair of jobs
 * differing in it alone (TLS over 4g; nginx over 4g with TLS; 4g over loopback, cleartext).
 */
export const TWIN_PATHS: PathParams[] = [...PATHS, { network: FOUR_G, tls: true, proxy: 'none' }];

/** Median and p99 latency (ms) per transport label and index in TWIN_PATHS: the chart's expected values. */
export const LATENCY_MS: Record<string, [number, number][]> = {
  'short-poll 1000ms': [
    [500, 990],
    [575, 1140],
    [580, 1150],
    [578, 1148],
  ],
  'long-poll': [
    [2, 5],
    [120, 290],
    [125, 300],
    [121, 296],
  ],
  sse: [
    [1.5, 4],
    [76, 160],
    [78, 170],
    [77.5, 166],
  ],
  ws: [
    [1, 3],
    [75.5, 150],
    [77, 160],
    [76, 151],
  ],
};

const TRANSPORTS: { transport: TinyJob['transport']; label: string; bytes: number; requests: number }[] = [
  { transport: 'short-poll', label: 'short-poll 1000ms', bytes: 550, requests: 1 },
  { transport: 'long-poll', label: 'long-poll', bytes: 560, requests: 1 },
  { transport: 'sse', label: 'sse', bytes: 330, requests: 0 },
  { transport: 'ws', label: 'ws', bytes: 310, requests: 0 },
];

/** The emulator's figures of a run over 4g (run index r): hand-picked, so a test knows each median. */
export const emulatorFigures = (r: number) => ({
  cpus: '1',
  cpuFraction: 0.02 + r * 0.02,
  latenessP50Us: 40,
  latenessP99Us: 400 + r * 200,
  latenessMaxUs: 2_000,
  appliedOneWayUpMs: 75 + r,
  appliedOneWayDownMs: 75.2,
  configuredOneWayMs: 75,
  segmentsLost: 0,
  maxQueuedBytes: 4_096,
  connections: 10,
});

const PROXY = { cpuFraction: 0.05, serverTcpAccepted: 4 };

export const HOSTILE = '<script>alert(1)</script> & "quoted"';

/**
 * What each path adds to a job's bytes and server figures, by hand: TLS one 22-byte record header per
 * event down (and per request up), nginx 10 bytes fewer response headers down for HTTP transports, a
 * TLS handshake of 1,212 bytes (the calibration's full 429 up + 783 down) taking 310 ms over 4g, and
 * nginx pooling the server's connections to 0.4 per client; server CPU +200 ms per 1000 events with
 * TLS, -300 behind nginx (it holds the clients' TLS).
 */
export const TLS_RECORD_BYTES = 22;
export const NGINX_HEADER_BYTES = -10;
function pathFigures(path: PathParams, requests: number) {
  const tls = path.tls ? 1 : 0;
  const nginx = path.proxy === 'nginx' ? 1 : 0;
  return {
    bytesUp: tls * requests * TLS_RECORD_BYTES,
    bytesDown: tls * TLS_RECORD_BYTES + nginx * (requests ? NGINX_HEADER_BYTES : 0),
    cpu: tls * 200 - nginx * 300,
    connections: nginx ? 0.4 : 1,
    tls: path.tls ? { tls_handshake_bytes_per_connection: 1212, tls_handshake_mean_ms: 310 } : {},
  };
}

export function pathResult(paths: PathParams[] = PATHS): Result {
  const jobs = paths.flatMap((path, i) => {
    const tiny = tinyResult(
      TRANSPORTS.map((t) => {
        const [p50, p99] = LATENCY_MS[t.label]![i]!;
        const added = pathFigures(path, t.requests);
        const run = {
          latency_p50_us: p50 * 1000,
          latency_p99_us: p99 * 1000,
          bytes_up_per_event: (t.requests ? 80 : 0) + added.bytesUp,
          bytes_down_per_event: t.bytes + added.bytesDown,
          http_requests_per_event: t.requests,
          server_cpu_ms_per_1000_events: (t.requests ? 1000 : 500) + added.cpu,
          events_lost: 0,
          events_duplicated: 0,
          server_connections_per_client: added.connections,
          ...added.tls,
        };
        return { transport: t.transport, runs: [run, run] };
      }),
    );
    const label = pathLabel(path);
    return tiny.jobs.map((job) => ({
      ...job,
      id: `${job.id}${label}`,
      parameterSet: `${TINY_PARAMETER_SET}${label}`,
      params: { ...job.params, ...path },
      // Runs over 4g carry the emulator's figures (run r: applied 75 + r ms up), behind nginx the proxy's too.
      runs: job.runs.map((run, r) =>
        i === 0
          ? run
          : { ...run, path: { emulator: emulatorFigures(r), ...(path.proxy === 'nginx' ? { proxy: PROXY } : {}) } },
      ),
    }));
  });
  const base = tinyResult([{ transport: 'ws', runs: [{}] }]);
  const doc = {
    ...base,
    jobs,
    context: {
      ...base.context,
      scenario: { ...base.context.scenario, repetitions: 2 },
      network: { emulatorCpus: '1', note: `user-space relay ${HOSTILE}` },
      tls: { certificate: `self-signed EC P-256 for 127.0.0.1 ${HOSTILE}`, maker: 'openssl 3.0.15' },
      proxy: { name: 'nginx', version: '1.22.1', config: `events {}\nhttp { server { listen 1234; } } # ${HOSTILE}` },
    },
    calibration: {
      ...base.calibration!,
      networks: [
        {
          network: '4g',
          configuredRttMs: 150,
          roundTripUs: { ...base.calibration!.tcpRoundTripUs, p50: 150_800, p99: 152_400 },
          offByMs: 0.76,
          accurate: true,
        },
      ],
      tls: {
        full: {
          bytesUp: 429,
          bytesDown: 783,
          ticketBytesDown: 574,
          ms: { ...base.calibration!.tcpRoundTripUs, p50: 3.2 },
        },
        resumed: {
          bytesUp: 732,
          bytesDown: 241,
          ticketBytesDown: 0,
          ms: { ...base.calibration!.tcpRoundTripUs, p50: 1.1 },
          resumedFraction: 1,
        },
        recordOverheadBytes: 22,
      },
    },
  };
  return parseResult(JSON.parse(JSON.stringify(doc)));
}
