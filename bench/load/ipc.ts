/**
 * Messages between the orchestrator and a load-generator process. Not in the contract folder
 * (servers/contract/) although it crosses a process boundary: both ends are the harness, and its
 * payload is the harness's own measurement data (result-schema histograms and percentiles, delivery,
 * client and connect counts), which the contract folder may not import (it imports nothing outside
 * itself, and servers/ nothing from bench/). What it shares with the other processes (the job's
 * transport and shape, the clock its stamps are on) it takes from the contract.
 */
import type { JobParams, PercentileSummary, EncodedHistogram } from '../result-schema.ts';
import type { DeliveryCounts } from './delivery.ts';
import type { ClientCounters } from '../clients/types.ts';
import type { ConnectOutcome } from './connect.ts';
import type { TlsHandshakeCalibration } from '../calibration/tls-handshake.ts';
import type { DropsReport } from './drops.ts';
import type { RestartReport } from './restart-recovery.ts';
import type { LoadProcessFigures } from './merge-reports.ts';

export interface LoadTiming {
  warmupMs: number;
  measureMs: number;
  drainMs: number;
  prewarmRequests: number;
  /** Every poll interval of the scenario: windows are aligned to all of them (see window.ts). */
  alignToPollIntervalsMs: number[];
  /** Overrides the connect deadline derived from the client count (tests, and paths with a round trip). */
  connectDeadlineMs?: number;
  /** Added to the drain's cap: the path's round trips (bench/network-path.ts pathAllowancesMs). */
  drainCapExtraMs?: number;
  /** After the feed has ended, waited before the clients close, so none closes with an event in flight. */
  quietBeforeCloseMs?: number;
}

export type ToLoad =
  | {
      type: 'run';
      /** Where the clients connect: the server, or the front of its path (emulator or proxy). */
      port: number;
      /** The server itself: the JIT prewarm goes straight to it, it warms the server, not the path. */
      serverPort: number;
      feedStartNs: string;
      params: JobParams;
      timing: LoadTiming;
      /** The plan's certificate, which TLS clients trust and nothing else. */
      tls?: { ca: string };
      /** Whether the server itself speaks TLS (no proxy in front terminates it). */
      serverTls: boolean;
      /** The address `port` and `serverPort` are on (a load agent on another host); 127.0.0.1 when absent. */
      host?: string;
      /** A load agent's offset to the publisher's clock: the process reads its clock shifted by it (bench/agent). */
      clock?: AgentClock;
      /** This process's clients among the job's (run-job.ts ClientSlice); absent: all of them. */
      slice?: { first: number; count: number };
      /** Source addresses the clients bind to (bench/source-addresses.ts); absent: the system picks. */
      localAddresses?: string[];
    }
  | { type: 'calibrate'; kind: 'tcp' | 'ws'; port: number; warmup: number; count: number; idleMs: number }
  /** Full and resumed TLS handshakes against a TLS echo server trusting `ca` (PEM). */
  | { type: 'calibrate-tls'; port: number; ca: string; count: number }
  /** `atNs` (several load processes): at 'idle' their clients' schedule origin, at 'window' the instant it opens (nowNs). */
  | { type: 'go'; checkpoint: 'idle' | 'window' | 'drained'; atNs?: string }
  /** The answer to 'restart-server': the new server is ready (stamps: restart-recovery.ts ServerRestart). */
  | { type: 'server-restarted'; killedNs: string; listeningNs: string };

/** A load agent's clock offset to the publisher's host (bench/agent/clock-offset.ts), as JSON. */
export interface AgentClock {
  /** Publisher's clock minus the agent's, ns (a bigint as a decimal string). */
  offsetNs: string;
  /** The true offset is within offsetNs ± this, ns: half the round trip of the exchange kept. */
  uncertaintyNs: number;
  /** Exchanges the estimate chose from. */
  exchanges: number;
}

export type LoadPhase = 'prewarm' | 'connect' | 'warmup' | 'measure' | 'drain' | 'close';

export interface LoadReport {
  startNs: string;
  endNs: string;
  firstSeq: number;
  lastSeq: number;
  /** How long the run waited after the window for every client to catch up. */
  drainedMs: number;
  delivery: DeliveryCounts;
  latency: EncodedHistogram;
  /**
   * Upstream messages sent inside the window (by send time), when the job has an upstream workload:
   * client to server (the server's receive stamp minus the send) and the round trip (echo received
   * minus the send), both on the shared monotonic clock.
   */
  upstream?: { oneWay: EncodedHistogram; roundTrip: EncodedHistogram };
  connectMs: PercentileSummary;
  firstEventMs: PercentileSummary;
  /** The same two as histograms (µs), so several processes' reports merge exactly (merge-reports.ts). */
  connectUs: EncodedHistogram;
  firstEventUs: EncodedHistogram;
  /**
   * Sum over clients of counter changes from startNs to countedUntilNs (read in one synchronous turn
   * at each edge, so an answer or frame is inside with its events or outside with them; only the
   * socket bytes of a message still being read at an edge can fall on the other side): the numerators and the
   * denominator (eventsReceived) of every per-event figure.
   */
  window: ClientCounters;
  /** When the window's counters were read at its end (>= endNs; later when the load loop was busy). */
  countedUntilNs: string;
  /** Sum over clients of every counter for the whole run, read after all clients closed. */
  runTotals: ClientCounters;
  /** Sum over clients of socket bytes until each one's first connection became usable (handshakes). */
  connectBytesUp: number;
  connectBytesDown: number;
  clientsConnected: number;
  /**
   * A window opened at a shared instant (several load processes): how long after that instant this
   * process read its counters, µs. Events delivered in between count in the delivery check but not in
   * the counters, so a large lag is visible here.
   */
  startLagUs?: number;
  /** The load process's own cost during the window: CPU time / wall time (1 = one core busy). */
  loadCpuFraction: number;
  loadLoopDelayP99Us: number;
  totalErrors: number;
  /** The bounded connect phase: how many connected, by when, and why the others did not. */
  connect?: ConnectOutcome;
  /** Forced drops (workload `drops`): what was dropped and how the clients came back (drops.ts). */
  drops?: DropsReport;
  /** Server restart (workload `restart`): how the clients came back (restart-recovery.ts). */
  restart?: RestartReport;
  /** A load agent's clock offset, applied to every stamp of this report (ToLoad 'run' clock). */
  clock?: AgentClock;
  /**
   * The same offset measured again by the agent once the run is over (bench/agent/agent.ts): the
   * clocks drift apart, so the offset applied is off by up to the difference (bench/agent/run-figures.ts).
   */
  clockAfter?: AgentClock;
  /** Each load process's own figures (set by the orchestrator's merge, bench/load-group.ts). */
  processes?: LoadProcessFigures[];
}

export type FromLoad =
  /** Sent once the process has loaded: the orchestrator times a run's start up to here. */
  | { type: 'ready' }
  | { type: 'progress'; phase: LoadPhase; done: number; total: number }
  | { type: 'checkpoint'; name: 'idle' | 'window' | 'drained' }
  | { type: 'window-end'; startNs: string; endNs: string }
  /** Workload `restart`: kill the server now and start it again on its port (answered by 'server-restarted'). */
  | { type: 'restart-server' }
  | { type: 'result'; report: LoadReport }
  | { type: 'calibration'; roundTripUs: PercentileSummary }
  | { type: 'tls-calibration'; handshakes: TlsHandshakeCalibration }
  | { type: 'fatal'; message: string };
