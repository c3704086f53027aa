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
    });
  }
  return segments;
}

/** TCP payload bytes to and from a listening port (both directions of every connection to it). */
export function bytesOnPort(segments: readonly Segment[], port: number): { toPort: number; fromPort: number } {
  let toPort = 0;
  let fromPort = 0;
  for (const s of segments) {
    if (s.dstPort === port) toPort += s.payload;
    else if (s.srcPort === port) fromPort += s.payload;
  }
  return { toPort, fromPort };
}
