/**
 * A `tcpdump -i lo` capture around a piece of a test, with markers so that nothing is cut off:
 * tcpdump reads the kernel's buffer at its own pace and drops what it has not read when stopped, so
 * the capture counts as started once a marker connection made after the start is in the file, and
 * it is stopped only once a marker made at the end is in the file (packets reach it in order).
 */
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tcpSegments, type Segment } from './pcap.ts';

/**
 * Why a capture cannot run here, or null when it can (tcpdump installed and allowed to capture on lo).
 * Under CI (CI set; .ci/run installs tcpdump) a missing capture is an error, never a silent skip.
 */
export function captureUnavailable(): string | null {
  const why =
    spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).status !== 0
      ? 'tcpdump is not installed (apt-get install tcpdump)'
      : process.getuid?.() !== 0
        ? 'capturing on lo needs root'
        : null;
  if (why && process.env['CI']) throw new Error(`the capture checks must run in CI: ${why}`);
  return why;
}

async function marker(): Promise<number> {
  const server = net.createServer((s) => s.resume().on('end', () => s.end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.end('pollbench capture marker');
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(file: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let segments: Segment[] = [];
    try {
      segments = tcpSegments(file);
    } catch {
      // not written yet
    }
    if (segments.some((s) => s.dstPort === port && s.payload > 0)) return;
    if (Date.now() > deadline) throw new Error(`capture: marker on port ${port} not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface Capture {
  /**
   * Stops the capture once everything before the call is in the file; returns the TCP segments. The
   * same promise on every call; a capture left running keeps the test process alive.
   */
  stop(): Promise<Segment[]>;
}

export async function startCapture(): Promise<Capture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pollbench-capture-'));
  const file = path.join(dir, 'lo.pcap');
  // -s 96: headers are enough, the payload length comes from the IP header. --immediate-mode and -U:
  // every packet is handed over and written at once (without them packets wait in a kernel block).
  const dump = spawn(
    'tcpdump',
    ['-i', 'lo', '-n', '--immediate-mode', '-U', '-s', '96', '-w', file, '-Z', 'root', 'tcp'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  dump.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => dump.once('exit', () => resolve()));
  const stop = async () => {
    dump.kill('SIGINT');
    const timer = setTimeout(() => dump.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    // Markers until one is seen: the first ones may precede the capture's start.
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await waitForPort(file, await marker(), 1000);
        break;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`capture did not start: ${stderr.trim() || (err as Error).message}`, { cause: err });
      }
    }
  } catch (err) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped: Promise<Segment[]> | undefined;
  return {
    // Once: a test's finally may stop a capture its body already stopped (or never reached).
    stop: () =>
      (stopped ??= (async () => {
        try {
          await waitForPort(file, await marker(), 30_000);
          await stop();
          return tcpSegments(file);
        } finally {
          await stop();
          rmSync(dir, { recursive: true, force: true });
        }
      })()),
  };
}
