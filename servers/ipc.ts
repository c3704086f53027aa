/** Messages between the orchestrator and a server process (over the Node IPC channel). */
import type { ServerStats } from './start.ts';

/**
 * `gc` runs a full collection first (the orchestrator starts servers with --expose-gc); `resetWindow`
 * starts a new measurement window for loop delay and feed arrival lag (read, then reset).
 */
export type ToServer = { type: 'stats'; id: number; resetWindow: boolean; gc: boolean } | { type: 'stop' };

export type FromServer =
  | { type: 'ready'; port: number; pid: number }
  | { type: 'stats'; id: number; stats: ServerStats }
  | { type: 'fatal'; message: string };
