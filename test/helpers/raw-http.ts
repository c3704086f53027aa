/**
 * One HTTP/1.x exchange over a raw TCP socket, for requests no HTTP client library would send
 * (absolute-form targets, unknown methods, HTTP/1.0, odd paths): the request bytes go out exactly as
 * written and the answer is parsed here just far enough to compare two servers' answers.
 */
import net from 'node:net';

export interface RawAnswer {
  /** 'answer': a whole response was read; 'closed': the server closed first; 'timeout': neither in time. */
  outcome: 'answer' | 'closed' | 'timeout';
  status: number | undefined;
  /** Header fields in wire order, names lower-cased. */
  headers: [string, string][];
  body: string;
}

const HEAD_END = '\r\n\r\n';

/** Decodes a complete chunked body, or undefined while it is incomplete. */
function dechunk(data: string): string | undefined {
  let out = '';
  let at = 0;
  for (;;) {
    const line = data.indexOf('\r\n', at);
    if (line === -1) return undefined;
    const size = parseInt(data.slice(at, line), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return out;
    if (data.length < line + 2 + size + 2) return undefined;
    out += data.slice(line + 2, line + 2 + size);
    at = line + 2 + size + 2;
  }
}

/**
 * Sends `request` (a whole request, CRLFs included) and reads one answer. A HEAD answer, a 1xx/204/304
 * or an event stream (whose body never ends) is complete after its head; otherwise Content-Length,
 * chunked framing or the connection's close ends it. The socket is destroyed afterwards either way.
 */
export function rawExchange(port: number, request: string, timeoutMs = 2000): Promise<RawAnswer> {
  const head = request.startsWith('HEAD ');
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    let data = '';
    let done = false;
    const finish = (outcome: RawAnswer['outcome']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const end = data.indexOf(HEAD_END);
      const lines = (end === -1 ? data : data.slice(0, end)).split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1];
      const headers = lines.slice(1).map((line): [string, string] => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
      });
      const raw = end === -1 ? '' : data.slice(end + HEAD_END.length);
      const chunked = headers.some(([n, v]) => n === 'transfer-encoding' && v === 'chunked');
      const body = chunked ? (dechunk(raw) ?? raw) : raw;
      resolve({ outcome, status: status === undefined ? undefined : Number(status), headers, body });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(request, 'latin1'));
    socket.on('data', (chunk: string) => {
      data += chunk;
      const end = data.indexOf(HEAD_END);
      if (end === -1) return;
      const headText = data.slice(0, end).toLowerCase();
      const status = Number(/^http\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0);
      if (head || status < 200 || status === 204 || status === 304 || headText.includes('text/event-stream'))
        return finish('answer');
      const length = /\r\ncontent-length: *(\d+)/.exec(headText)?.[1];
      const rest = data.length - end - HEAD_END.length;
      if (length !== undefined && rest >= Number(length)) return finish('answer');
      if (/\r\ntransfer-encoding: *chunked/.test(headText) && dechunk(data.slice(end + 4)) !== undefined)
        finish('answer');
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish(data.includes(HEAD_END) && !head ? 'answer' : 'closed'));
  });
}
