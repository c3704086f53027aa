/** Messages between the orchestrator and the relay process (bench/network/main.ts). */
import type { RelayStats } from './relay.ts';

export type ToRelay = { type: 'stats'; id: number; reset: boolean };

export type FromRelay =
  | { type: 'ready'; port: number }
  | { type: 'stats'; id: number; stats: RelayStats }
  | { type: 'fatal'; message: string };
