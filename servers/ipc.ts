/** Messages between the orchestrator and a server process (over the Node IPC channel). */
import type { ServerStats } from './start.ts';

export type ToServer = { type: 'stats'; id: number; resetLoopDelay: boolean } | { type: 'stop' };

export type FromServer =
  | { type: 'ready'; port: number; pid: number; feedStartNs: string | null }
  | { type: 'stats'; id: number; stats: ServerStats }
  | { type: 'fatal'; message: string };
