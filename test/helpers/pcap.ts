/**
 * A hand-written reader of `tcpdump -w` files (libpcap format, loopback captures), independent of
 * pollbench's own counting: for each TCP segment it returns the ports and the payload length, taken
 * from the IP header's total length (so a capture with a short snap length still counts every byte).
 */
import { readFileSync } from 'node:fs';

export interface Segment {
  srcPort: number;
  dstPort: number;
  payload: number;
  /** The sender closed (FIN) or reset (RST) its end with this segment. */
  closes: boolean;
  /** Capture time, µs since the epoch. */
  atUs: number;
  /** TCP sequence number of the first payload byte. */
  seq: number;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

export function tcpSegments(file: string): Segment[] {
  const buf = readFileSync(file);
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d)
    throw new Error(`${file}: not a pcap file`);
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const linkType = u32(20);
  const linkHeader =
    linkType === LINKTYPE_ETHERNET
      ? 14
      : linkType === LINKTYPE_LINUX_SLL
        ? 16
        : linkType === LINKTYPE_LINUX_SLL2
          ? 20
          : -1;
  if (linkHeader < 0) throw new Error(`${file}: link type ${linkType} not handled`);
  const segments: Segment[] = [];
  for (let at = 24; at + 16 <= buf.length;) {
    const captured = u32(at + 8);
    const frame = at + 16;
    at = frame + captured;
    const ip = frame + linkHeader;
    if (ip + 20 > at) continue;
    const version = buf[ip]! >> 4;
    let tcp: number;
    let ipPayload: number;
    if (version === 4) {
      if (buf[ip + 9] !== 6) continue;
      const ihl = (buf[ip]! & 0x0f) * 4;
      tcp = ip + ihl;
      ipPayload = buf.readUInt16BE(ip + 2) - ihl;
    } else if (version === 6) {
      if (buf[ip + 6] !== 6) continue; // no extension headers on loopback TCP
      tcp = ip + 40;
      ipPayload = buf.readUInt16BE(ip + 4);
    } else continue;
    if (tcp + 13 > at) continue;
    const dataOffset = (buf[tcp + 12]! >> 4) * 4;
    segments.push({
      srcPort: buf.readUInt16BE(tcp),
      dstPort: buf.readUInt16BE(tcp + 2),
      payload: ipPayload - dataOffset,
      closes: (buf[tcp + 13]! & 0x05) !== 0, // FIN 0x01, RST 0x04
      atUs: u32(frame - 16) * 1e6 + u32(frame - 12),
      seq: buf.readUInt32BE(tcp + 4),
    });
  }
  return segments;
}

/**
 * New payload bytes of a segment on its direction of its connection: a retransmitted segment (seen
 * again in the capture) carries bytes the receiver counts once. Tracked by TCP sequence number, modulo
 * 2^32, from the first segment seen on that direction.
 */
function newBytes(highest: Map<string, number>, key: string, s: Segment): number {
  if (s.payload === 0) return 0;
  const end = s.seq + s.payload;
  const top = highest.get(key);
  if (top === undefined) {
    highest.set(key, end);
    return s.payload;
  }
  const ahead = (end - top) >>> 0; // bytes beyond the highest seen, modulo 2^32
  if (ahead === 0 || ahead > 2 ** 31) return 0; // nothing new (a retransmission)
  highest.set(key, end >>> 0);
  return Math.min(ahead, s.payload);
}

/** TCP payload bytes to and from a listening port (both directions of every connection to it), each byte once. */
export function bytesOnPort(segments: readonly Segment[], port: number): { toPort: number; fromPort: number } {
  return countOnPort(segments, port, false);
}

/**
 * Like bytesOnPort, but bytes towards a client after it closed its end of that connection are left
 * out: a client that closes while an event is on its way never reads it (the kernel answers with a
 * reset), so its socket counters cannot include it, while the capture sees the segment arrive.
 */
export function bytesReadOnPort(segments: readonly Segment[], port: number): { toPort: number; fromPort: number } {
  return countOnPort(segments, port, true);
}

function countOnPort(segments: readonly Segment[], port: number, stopAtClientClose: boolean) {
  let toPort = 0;
  let fromPort = 0;
  const highest = new Map<string, number>();
  const closedClients = new Set<number>();
  for (const s of segments) {
    if (s.dstPort === port) {
      toPort += newBytes(highest, `up ${s.srcPort}`, s);
      if (s.closes) closedClients.add(s.srcPort);
    } else if (s.srcPort === port && !(stopAtClientClose && closedClients.has(s.dstPort)))
      fromPort += newBytes(highest, `down ${s.dstPort}`, s);
  }
  return { toPort, fromPort };
}
