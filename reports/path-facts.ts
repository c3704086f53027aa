/**
 * What a result says about its network paths, for the methods of the HTML report and the Markdown
 * summary: the network profiles its jobs ran over (with their figures), the emulator, the TLS
 * certificate, the reverse proxy, and the calibration through each network and of TLS handshakes.
 * Plain text (each renderer escapes it); empty for a result that ran only the direct path.
 */
import type { Result } from '../bench/result-schema.ts';
import type { MethodsEntry } from './methods.ts';
import { networkKey, networkText } from './path-text.ts';

const msText = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const usText = (us: number) => msText(us / 1000);

/** The distinct network profiles of a result's jobs, in result order. */
function profiles(result: Result) {
  const seen = new Map<string, Result['jobs'][number]['params']['network']>();
  for (const job of result.jobs) seen.set(networkKey(job.params.network), job.params.network);
  return [...seen.values()];
}

export function pathFacts(result: Result): MethodsEntry[] {
  const c = result.context;
  const cal = result.calibration;
  const nets = profiles(result);
  const tls = [...new Set(result.jobs.map((j) => j.params.tls))];
  const proxies = [...new Set(result.jobs.map((j) => j.params.proxy))];
  const onlyDirect =
    nets.length === 1 &&
    networkText(nets[0]!) === 'loopback' &&
    tls.every((t) => !t) &&
    proxies.every((p) => p === 'none') &&
    !c.network &&
    !c.tls &&
    !c.proxy &&
    !cal?.networks &&
    !cal?.tls;
  if (onlyDirect) return [];
  const entries: MethodsEntry[] = [
    {
      term: 'Network profiles',
      detail: nets
        .map((p) => {
          const text = networkText(p);
          return text === p.name ? `${p.name} (nothing added)` : text;
        })
        .join('; '),
    },
    {
      term: 'TLS and proxy',
      detail: `TLS ${tls.length > 1 ? 'on and off' : tls[0] ? 'on' : 'off'}; ${proxies.map((p) => (p === 'none' ? 'no proxy' : `behind ${p}`)).join(' and ')}`,
    },
  ];
  if (c.network)
    entries.push({
      term: 'Network emulator',
      detail: `${c.network.note}${c.network.emulatorCpus === null ? ' (not pinned)' : ` (on CPU ${c.network.emulatorCpus})`}`,
    });
  if (cal?.networks?.length)
    entries.push({
      term: 'Calibration through each network',
      detail: cal.networks
        .map(
          (n) =>
            `${n.network}: idle TCP round trip p50 ${usText(n.roundTripUs.p50)}, p99 ${usText(n.roundTripUs.p99)} against ${n.configuredRttMs} ms configured (off by ${n.offByMs >= 0 ? '+' : ''}${n.offByMs.toFixed(2)} ms once the loopback round trip is taken out: ${n.accurate ? 'accurate' : 'NOT accurate'}; the bar is 5% of the configured round trip or 1 ms, whichever is larger)`,
        )
        .join('; '),
    });
  if (c.tls) entries.push({ term: 'TLS certificate', detail: `${c.tls.certificate} (made by ${c.tls.maker})` });
  if (cal?.tls) {
    const { full, resumed } = cal.tls;
    entries.push({
      term: 'TLS handshakes (loopback calibration)',
      detail: `full: ${Math.round(full.bytesUp)} B up, ${Math.round(full.bytesDown)} B down (then ${Math.round(full.ticketBytesDown)} B of session tickets), p50 ${msText(full.ms.p50)}; resumed: ${Math.round(resumed.bytesUp)} B up, ${Math.round(resumed.bytesDown)} B down (then ${Math.round(resumed.ticketBytesDown)} B of tickets), p50 ${msText(resumed.ms.p50)} (${(resumed.resumedFraction * 100).toFixed(0)}% of reconnects resumed); every TLS record adds ${cal.tls.recordOverheadBytes} B to what it carries${cal.tls.negotiated ? `; negotiated ${[cal.tls.negotiated.protocol, cal.tls.negotiated.cipher, cal.tls.negotiated.group ?? 'key exchange not reported'].filter(Boolean).join(', ')}` : ''}`,
    });
  }
  if (c.proxy)
    entries.push({
      term: 'Reverse proxy',
      detail: `${c.proxy.name} ${c.proxy.version}`,
    });
  return entries;
}
