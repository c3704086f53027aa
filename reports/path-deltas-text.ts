/**
 * What the path adds in text: the columns every renderer shows (signed differences, units in the
 * heads), the Markdown tables and the console block. The HTML report builds its tables from the same
 * columns (reports/path-deltas-html.ts). Nothing for a result without twins.
 */
import { escapeMarkdown as md } from './escape.ts';
import { sig3 } from './format.ts';
import type { Delta, PathDeltaGroup, PathDeltaRow } from './path-deltas.ts';

/**
 * A signed difference: "+0.50", "-10", "0" when it rounds to nothing (never "+-0" or "-0"); with a
 * tilde when it lies within both jobs' spread over runs, "~+0.50": noise at this many runs.
 */
function signed(d: Delta, format: (v: number) => string): string {
  const v = d.value;
  if (!Number.isFinite(v)) return 'n/a';
  const text = format(Math.abs(v));
  if (Number(text) === 0) return '0';
  const s = `${v > 0 ? '+' : '-'}${text}`;
  return d.withinSpread ? `~${s}` : s;
}

/** "+200 (500 -> 700)": the difference, then the two medians it is of. */
function withBoth(d: Delta, format: (v: number) => string, arrow: string): string {
  const diff = signed(d, format);
  return Number.isFinite(d.value) ? `${diff} (${format(d.from)} ${arrow} ${format(d.to)})` : diff;
}

const bytes = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(1));
const plain = (format: (v: number) => string) => (v: number) => (Number.isFinite(v) ? format(v) : 'n/a');
const connections = (r: PathDeltaRow, arrow: string) =>
  r.serverConnectionsPerClient.map(plain((v) => v.toFixed(2))).join(` ${arrow} `);

interface Column {
  head: string;
  text: (r: PathDeltaRow, arrow: string) => string;
  /** The figure itself, for sorting in HTML (NaN for none). */
  value: (r: PathDeltaRow) => number;
  /** Shown only when some row has the figure (TLS handshakes exist only on TLS paths). */
  optional?: boolean;
}

export const worksText = (r: PathDeltaRow): string => (r.works ? 'yes' : `no: ${r.reason}`);

const COLUMNS: Column[] = [
  { head: 'latency p50 (ms)', text: (r) => signed(r.latencyP50Ms, sig3), value: (r) => r.latencyP50Ms.value },
  { head: 'latency p99 (ms)', text: (r) => signed(r.latencyP99Ms, sig3), value: (r) => r.latencyP99Ms.value },
  {
    head: 'bytes down / event',
    text: (r) => signed(r.bytesDownPerEvent, bytes),
    value: (r) => r.bytesDownPerEvent.value,
  },
  { head: 'bytes up / event', text: (r) => signed(r.bytesUpPerEvent, bytes), value: (r) => r.bytesUpPerEvent.value },
  {
    head: 'server CPU ms / 1000 events',
    // Both sides too: the issue asks for server CPU per event with and without the change.
    text: (r, arrow) => withBoth(r.serverCpuMsPer1000Events, sig3, arrow),
    value: (r) => r.serverCpuMsPer1000Events.value,
  },
  {
    head: 'server connections / client',
    text: connections,
    value: (r) => r.serverConnectionsPerClient[1],
    // Results from before the figure existed have it on neither side.
    optional: true,
  },
  {
    head: 'TLS handshake / connection (B)',
    text: (r) => plain((v) => v.toFixed(0))(r.tlsHandshakeBytes),
    value: (r) => r.tlsHandshakeBytes,
    optional: true,
  },
  {
    head: 'TLS handshake time (ms)',
    text: (r) => plain(sig3)(r.tlsHandshakeMs),
    value: (r) => r.tlsHandshakeMs,
    optional: true,
  },
];

/** The columns a group shows: the optional ones only where some row has the figure. */
export function columnsOf(group: PathDeltaGroup): Column[] {
  return COLUMNS.filter((c) => !c.optional || group.rows.some((r) => Number.isFinite(c.value(r))));
}

/**
 * What the parameter set line adds when a side has a single completed run: no spread, so the
 * parentheses can mark no difference as noise.
 */
export function runsNote(g: PathDeltaGroup): string {
  const fewest = Math.min(...g.rows.flatMap((r) => [r.from.completed.length, r.to.completed.length]));
  return fewest < 2 ? `; ${fewest} completed run${fewest === 1 ? '' : 's'} on a side: no spread to tell noise by` : '';
}

/** A group's title: "behind nginx (over 4g, cleartext)". */
export const groupTitle = (g: PathDeltaGroup): string => `${g.changeText} (${g.held})`;

export const PATH_DELTAS_CAPTION =
  'Each row is a transport on the changed path against the same job without the change (every other parameter and path axis equal): differences of the two jobs\u2019 medians over runs (with TLS, the bytes per event are the record overhead). With a tilde (~): the two jobs\u2019 [min-max] ranges over runs overlap, so the difference is within the noise. Server CPU shows both medians after the difference. "Works": every run completed and every event arrived exactly once on the changed path.';

export function pathDeltasMarkdown(groups: readonly PathDeltaGroup[]): string[] {
  if (groups.length === 0) return [];
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = ['### What the path adds', '', md(PATH_DELTAS_CAPTION), ''];
  for (const g of groups) {
    const columns = columnsOf(g);
    out.push(`**${md(groupTitle(g))}**, ${md(g.parameterSet)}${md(runsNote(g))}:`, '');
    out.push(row(['transport', 'works', ...columns.map((c) => md(c.head))]));
    out.push(row(['---', '---', ...columns.map(() => '---:')]));
    for (const r of g.rows)
      out.push(row([md(r.transport), md(worksText(r)), ...columns.map((c) => md(c.text(r, '→')))]));
    out.push('');
  }
  return out;
}

const cpuBoth = ({ serverCpuMsPer1000Events: d }: PathDeltaRow) =>
  Number.isFinite(d.value) ? ` (${sig3(d.from)} -> ${sig3(d.to)})` : '';

/** One line per transport per change: "behind nginx: ws works; latency p50 +0.50 ms, ...". */
export function pathDeltasConsole(groups: readonly PathDeltaGroup[]): string[] {
  if (groups.length === 0) return [];
  const out = [
    "What the path adds (against the same job without the change; differences of medians over runs, ~ when within the runs' spread):",
  ];
  for (const g of groups) {
    out.push(`  ${groupTitle(g)}, ${g.parameterSet}${runsNote(g)}:`);
    for (const r of g.rows) {
      const figures = [
        `latency p50 ${signed(r.latencyP50Ms, sig3)} ms, p99 ${signed(r.latencyP99Ms, sig3)} ms`,
        `bytes down/event ${signed(r.bytesDownPerEvent, bytes)} B, up ${signed(r.bytesUpPerEvent, bytes)} B`,
        `server CPU/1000 events ${signed(r.serverCpuMsPer1000Events, sig3)} ms${cpuBoth(r)}`,
        ...(r.serverConnectionsPerClient.some(Number.isFinite)
          ? [`server connections/client ${connections(r, '->')}`]
          : []),
        ...(Number.isFinite(r.tlsHandshakeBytes)
          ? [`TLS handshake ${r.tlsHandshakeBytes.toFixed(0)} B, ${plain(sig3)(r.tlsHandshakeMs)} ms`]
          : []),
      ];
      const verdict = r.works ? `${r.transport} works` : `${r.transport} does not work (${r.reason})`;
      out.push(`    ${g.change}: ${verdict}; ${figures.join(', ')}`);
    }
  }
  return out;
}
