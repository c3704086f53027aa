/**
 * What the orchestrator's host offers, read cheaply in the orchestrator process: the kernel's
 * listen-queue counters (/proc/net/netstat TcpExt ListenOverflows and ListenDrops: SYNs dropped
 * because an accept queue was full, an independent sign of a connect backlog), the ephemeral port
 * range, cores and memory. The counters are the network namespace's, not one socket's: anything else
 * listening on this host during a step counts too, so they confirm a backlog, they do not prove one.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { ListenDeltas } from './step.ts';

/** ListenOverflows and ListenDrops from the text of /proc/net/netstat (null when absent). */
export function parseListenCounters(text: string): ListenDeltas | null {
  const lines = text.split('\n').filter((l) => l.startsWith('TcpExt:'));
  if (lines.length < 2) return null;
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  const of = (name: string) => values[names.indexOf(name)];
  const [listenOverflows, listenDrops] = [of('ListenOverflows'), of('ListenDrops')];
  if (listenOverflows === undefined || listenDrops === undefined) return null;
  return { listenOverflows, listenDrops };
}

export function readListenCounters(): ListenDeltas | null {
  try {
    return parseListenCounters(readFileSync('/proc/net/netstat', 'utf8'));
  } catch {
    return null;
  }
}

/** Ports one source address can connect from: the size of net.ipv4.ip_local_port_range. */
export function parsePortRange(text: string): number | null {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  return m ? Number(m[2]) - Number(m[1]) + 1 : null;
}

export function readMachine(descriptorHardLimit: number | null) {
  let ephemeralPorts: number | null = null;
  try {
    ephemeralPorts = parsePortRange(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'));
  } catch {
    // Not Linux: unknown.
  }
  return { cores: os.cpus().length, memoryBytes: os.totalmem(), descriptorHardLimit, ephemeralPorts };
}
