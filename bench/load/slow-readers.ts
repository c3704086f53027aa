/**
 * The slow-readers workload (bench/workload-params.ts): `count` extra connections that subscribe like
 * a client and then never read, beside the measured clients (which are the healthy ones; these are not
 * measured). A push transport's reader completes its WebSocket handshake or gets its SSE response head,
 * then stops reading its socket, so the server's buffer for it fills until its slow-consumer limit
 * drops it (servers/slow-consumer.ts); a poll's reader sends one request and leaves its answer unread.
 * They never reconnect, so each push reader is dropped at most once (bench/metrics.ts relies on it).
 *
 * Raw sockets with hand-written requests, so nothing reads on their behalf: a library would. They open
 * from the current seq, like the measured clients, over HTTP/1.1 (HTTP/2's flow control windows would
 * make "not reading" another experiment); their bytes and connections are in the server's counters.
 */
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { TRANSPORT_TRAITS } from '../../servers/contract/transport-traits.ts';
import type { JobParams } from '../result-schema.ts';
import type { JobTarget } from './run-job.ts';

/** How long a stream's reader waits for its handshake or response head before giving up the run. */
const HEAD_TIMEOUT_MS = 10_000;

export interface SlowReaders {
  /** Destroys every reader's socket. */
  close(): void;
}

/** The request a reader sends: the transport's subscribe request, nothing a browser would add. */
function requestFor(params: JobParams, target: JobTarget, since: number): string {
  const how = TRANSPORT_TRAITS[params.transport].slowReader;
  const lines = [`GET ${how.path}?since=${since} HTTP/1.1`, `Host: ${target.host ?? '127.0.0.1'}:${target.port}`];
  if (how.upgrade)
    lines.push(
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
    );
  else if (how.stream) lines.push('Accept: text/event-stream');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function openOne(params: JobParams, target: JobTarget, since: number): Promise<net.Socket> {
  const stream = TRANSPORT_TRAITS[params.transport].slowReader.stream;
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = target.tls
      ? tls.connect({ host: target.host ?? '127.0.0.1', port: target.port, ca: target.tls.ca })
      : net.connect({ host: target.host ?? '127.0.0.1', port: target.port });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error('slow reader: no answer head in time')), HEAD_TIMEOUT_MS);
    socket.once('error', fail);
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      socket.write(requestFor(params, target, since));
      if (stream) return;
      // A poll's answer, whenever it comes, stays unread in the kernel's buffers.
      clearTimeout(timer);
      socket.pause();
      resolve(socket);
    });
    if (!stream) return;
    let head = '';
    socket.on('data', function onData(chunk: Buffer) {
      // Read only up to the head; from then on the socket is paused and nothing more is read.
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.pause();
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      if (status !== '200' && status !== '101')
        return fail(new Error(`slow reader: answered ${status ?? head.slice(0, 40)}`));
      resolve(socket);
    });
  }).then((socket) => {
    // Errors after the drop (a reset once the server gives up on it) are the point, not a failure.
    socket.removeAllListeners('error');
    socket.on('error', () => {});
    return socket;
  });
}

/** Opens the workload's slow readers (none for another workload); fails the run if one cannot open. */
export async function openSlowReaders(params: JobParams, target: JobTarget, since: number): Promise<SlowReaders> {
  const sockets: net.Socket[] = [];
  const close = () => sockets.forEach((s) => s.destroy());
  if (params.workload.kind !== 'slow-readers') return { close };
  if (params.http === '2') throw new Error('the slow-readers workload runs over HTTP/1.1 only');
  const opening = Array.from({ length: params.workload.count }, () =>
    openOne(params, target, since).then((s) => void sockets.push(s)),
  );
  const outcome = await Promise.allSettled(opening);
  const failed = outcome.find((o) => o.status === 'rejected');
  if (failed) {
    close();
    throw (failed as PromiseRejectedResult).reason;
  }
  return { close };
}
