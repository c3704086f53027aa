/**
 * A tcpdump capture of one server port on the loopback interface, and the TCP payload bytes it saw in
 * each direction, parsed by hand from the pcap file (Ethernet, IPv4, TCP headers: the bytes the TCP
 * segments carried, whatever TLS or HTTP put in them). Needs root and tcpdump; `unavailable()` says why
 * not, for a test to skip with.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withTimeout } from './harness.ts';

export function captureUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'packet capture needs root (tcpdump on lo)';
  if (spawnSync('tcpdump', ['--version']).error) return 'tcpdump is not installed (apt-get install tcpdump)';
  return undefined;
}

export interface Capture {
  /** Stops tcpdump and returns the payload bytes towards the port (up) and from it (down). */
  stop(): Promise<{ up: number; down: number; packets: number }>;
}

export async function startCapture(port: number): Promise<Capture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-pcap-'));
  const file = path.join(dir, 'lo.pcap');
  // -s 128: headers are all we read. --immediate-mode and -U: each packet is delivered and written at
  // once (without them packets wait in a kernel block for up to a second and were lost at the stop).
  const child: ChildProcess = spawn(
    'tcpdump',
    ['-i', 'lo', '-n', '--immediate-mode', '-U', '-s', '128', '-w', file, 'tcp', 'port', String(port)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('listening on')) resolve();
      });
      child.once('exit', () => reject(new Error(`tcpdump exited: ${stderr.trim()}`)));
    }),
    10_000,
    'tcpdump listening',
  );
  return {
    async stop() {
      try {
        // Let the last segments of a close reach the capture before stopping it.
        await new Promise((resolve) => setTimeout(resolve, 200));
        child.kill('SIGINT');
        await withTimeout(exited, 10_000, 'tcpdump exit');
        const dropped = /(\d+) packets? dropped by kernel/.exec(stderr);
        if (!dropped || dropped[1] !== '0') throw new Error(`tcpdump dropped packets: ${stderr.trim()}`);
        return payloadBytes(readFileSync(file), port);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        if (!process.env.KEEP_PCAP) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function payloadBytes(pcap: Buffer, port: number): { up: number; down: number; packets: number } {
  if (pcap.readUInt32LE(0) !== 0xa1b2c3d4 && pcap.readUInt32LE(0) !== 0xa1b23c4d)
    throw new Error('not a little-endian pcap file');
  if (pcap.readUInt32LE(20) !== 1) throw new Error(`link type ${pcap.readUInt32LE(20)}, expected Ethernet (lo)`);
  let offset = 24;
  let up = 0;
  let down = 0;
  let packets = 0;
  while (offset + 16 <= pcap.length) {
    const captured = pcap.readUInt32LE(offset + 8);
    const frame = pcap.subarray(offset + 16, offset + 16 + captured);
    offset += 16 + captured;
    if (frame.readUInt16BE(12) !== 0x0800) continue;
    const ip = frame.subarray(14);
    if (ip[9] !== 6) continue;
    const ipHeader = (ip[0]! & 0x0f) * 4;
    const tcp = ip.subarray(ipHeader);
    const payload = ip.readUInt16BE(2) - ipHeader - (tcp[12]! >> 4) * 4;
    packets++;
    if (tcp.readUInt16BE(0) === port) down += payload;
    else if (tcp.readUInt16BE(2) === port) up += payload;
  }
  return { up, down, packets };
}
