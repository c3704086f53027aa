/**
 * The capacity section of the reports (only when the result has one): per transport and deployment
 * the largest audience that met the level, the first that broke it, the resource named at the limit
 * and the figures that show it; the chart of every step; the million-client projection with its
 * formula and inputs. Pure renderers of the result.
 */
import type { CapacitySearch, CapacitySection, CapacityStep } from '../bench/capacity/schema.ts';
import type { Result } from '../bench/result-schema.ts';
import type { CapacityPoint } from './charts/capacity-chart.ts';
import {
  PROJECTED_CLIENTS,
  TARGET_UTILISATION,
  project,
  projectionInputs,
  type Projection,
} from './capacity-projection.ts';
import { escapeHtml as e, escapeMarkdown as md } from './escape.ts';
import { int } from './format.ts';

const RESOURCE_NAMES: Record<string, string> = {
  'server-cpu': 'server CPU',
  'load-cpu': 'load-generator CPU',
  'broker-cpu': 'broker CPU',
  memory: 'memory',
  descriptors: 'file descriptors',
  ports: 'ports',
  'connect-backlog': 'connect backlog',
  publisher: 'publisher',
  unidentified: 'none identified',
};

const ENDINGS: Record<string, string> = {
  narrowed: 'narrowed to the resolution',
  'cap-reached': 'met the level at the cap',
  'step-limit': 'out of steps',
  'failed-at-smallest': 'broke the level at 1 client',
};

/** A search's name: its transport, and its deployment when not the default. */
export function searchLabel(s: CapacitySearch): string {
  return `${s.transport}${s.broker !== 'memory' ? ` broker=${s.broker}` : ''}${s.serverProcesses !== 1 ? ` servers=${s.serverProcesses}` : ''}`;
}

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(0)}%`);
const ms = (x: number | undefined) => (x === undefined ? '-' : `${int(x)} ms`);
const mib = (b: number | undefined) => (b === undefined ? '-' : `${(b / 2 ** 20).toFixed(0)} MiB`);
const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** The figures of a step that show why (p99, server and load CPU, RSS, connect failures, listen drops). */
function stepFigures(step: CapacityStep | undefined): string {
  if (!step) return '-';
  const f = step.figures;
  const parts = [
    `p99 ${ms(f['p99Ms'])}`,
    `server CPU ${pct(f['serverCpuFraction'])}`,
    // Several load processes: the busiest (saturation) and their sum (what the clients cost).
    f['loadCpuTotal'] !== undefined && f['loadCpuTotal'] !== f['loadCpuFraction']
      ? `load CPU ${pct(f['loadCpuFraction'])} busiest process, ${pct(f['loadCpuTotal'])} all processes`
      : `load CPU ${pct(f['loadCpuFraction'])}`,
    `server RSS ${mib(f['serverRssBytes'])}`,
    ...(f['brokerCpuFraction'] !== undefined ? [`broker CPU ${pct(f['brokerCpuFraction'])}`] : []),
    ...((f['unconnected'] ?? 0) > 0 ? [`${f['unconnected']} unconnected`] : []),
    ...((f['eventsLost'] ?? 0) > 0 ? [`${f['eventsLost']} events lost`] : []),
    ...((f['eventsDuplicated'] ?? 0) > 0 ? [`${f['eventsDuplicated']} duplicated`] : []),
    ...((f['eventsOutOfOrder'] ?? 0) > 0 ? [`${f['eventsOutOfOrder']} out of order`] : []),
    ...((f['listenOverflows'] ?? 0) + (f['listenDrops'] ?? 0) > 0
      ? [`listen overflows ${f['listenOverflows']}, drops ${f['listenDrops']}`]
      : []),
  ];
  return parts.join(', ');
}

interface CapacityRow {
  label: string;
  largestPass: string;
  firstFail: string;
  limit: string;
  detail: string;
  figures: string;
  steps: string;
}

function rows(c: CapacitySection): CapacityRow[] {
  return c.searches.map((s) => {
    const at = (n: number | null) => s.steps.find((st) => st.clients === n);
    const limitStep = at(s.limit?.clients ?? s.firstFail) ?? at(s.largestPass);
    const near = s.nearLimit
      ? `; near its limit at ${int(s.largestPass ?? 0)}: ${RESOURCE_NAMES[s.nearLimit.resource]}`
      : '';
    return {
      label: searchLabel(s),
      largestPass: s.largestPass === null ? 'none' : int(s.largestPass),
      firstFail: s.firstFail === null ? '-' : int(s.firstFail),
      limit: `${s.limit ? RESOURCE_NAMES[s.limit.resource] : '-'}${near}`,
      detail: s.limit?.detail ?? (s.ended ? ENDINGS[s.ended]! : 'search unfinished'),
      figures: stepFigures(limitStep),
      steps: s.steps.map((st) => `${int(st.clients)} ${st.pass === null ? '?' : st.pass ? 'met' : 'broke'}`).join(', '),
    };
  });
}

function levelText(c: CapacitySection): string {
  const st = c.settings;
  return `Level: p99 latency at most ${c.serviceLevel.p99Ms} ms, no lost, duplicated or out-of-order event, no client error, every client connected. Search: from ${int(st.start)} clients x${st.factor} while the level holds, then bisection to ${(st.resolution * 100).toFixed(0)}%, at most ${st.maxSteps} steps, never above ${int(st.max)} clients${st.max < st.requestedMax ? ` (asked ${int(st.requestedMax)}; the open-files limit allows ${int(st.max)} per process)` : ''}. Each step is one job of the result, run like any other.`;
}

interface ProjectionRow {
  label: string;
  p: Projection;
}

function projections(c: CapacitySection): ProjectionRow[] {
  return c.searches.flatMap((s) => {
    const inputs = projectionInputs(s, c.machine);
    return inputs ? [{ label: searchLabel(s), p: project(inputs) }] : [];
  });
}

const FORMULA = [
  `server cores = server CPU per delivered event x events/s per client x ${int(PROJECTED_CLIENTS)} / ${TARGET_UTILISATION} target utilisation`,
  'server processes = ceil(server cores) (node runs a process on one core)',
  `memory = server RSS growth per client x ${int(PROJECTED_CLIENTS)}`,
  `load cores = load CPU (all load processes) per client x ${int(PROJECTED_CLIENTS)} / ${TARGET_UTILISATION}; load hosts = ceil(load cores / cores per host)`,
  `source addresses = ceil(${int(PROJECTED_CLIENTS)} / ephemeral ports per address)`,
];

const projectionCaption = `Measured at each transport's largest audience that met the level; linear in clients, so a floor: fan-out per process and kernel memory per socket are not in it.`;

function inputText(p: Projection): string {
  const i = p.inputs;
  return `at ${int(i.measuredClients)} clients, ${i.ratePerSec} event/s: ${(i.cpuMsPer1000Events / 1000).toFixed(3)} ms CPU per event, ${int(i.rssPerClientBytes)} B RSS per client, load ${pct(i.loadCpuTotal)} of a core over all its processes, ${i.coresPerHost} cores per host, ${int(i.ephemeralPorts)} ports per address`;
}

/** Markdown lines for the summary (empty when the result has no capacity section). */
export function capacityMarkdown(result: Result): string[] {
  const c = result.capacity;
  if (!c) return [];
  const out = ['### How many clients? Capacity search', '', md(levelText(c)), ''];
  out.push(
    '| transport | largest audience that met the level | first that broke it | limit | why | figures at the limit | steps in order |',
  );
  out.push('|---|---:|---:|---|---|---|---|');
  for (const r of rows(c))
    out.push(`| ${[r.label, r.largestPass, r.firstFail, r.limit, r.detail, r.figures, r.steps].map(md).join(' | ')} |`);
  const proj = projections(c);
  if (proj.length) {
    out.push('', `**A million clients, projected from the measured costs** (${md(projectionCaption)})`, '');
    out.push(...FORMULA.map((f) => `- ${md(f)}`), '');
    out.push(
      '| transport | server cores | server processes | memory | load cores | load hosts | source addresses | inputs |',
    );
    out.push('|---|---:|---:|---:|---:|---:|---:|---|');
    for (const { label, p } of proj)
      out.push(
        `| ${[label, p.serverCores.toFixed(1), int(p.serverProcesses), gib(p.memoryBytes), p.loadCores.toFixed(1), int(p.loadHosts), int(p.sourceAddresses), inputText(p)].map(md).join(' | ')} |`,
      );
  }
  out.push('');
  return out;
}

/** The chart's points: every step with a p99, in the order the searches ran them. */
export function capacityPoints(c: CapacitySection): CapacityPoint[] {
  return c.searches.flatMap((s) =>
    s.steps.flatMap((st) =>
      st.figures['p99Ms'] === undefined || st.pass === null
        ? []
        : [
            {
              series: searchLabel(s),
              clients: st.clients,
              p99Ms: Math.max(0.01, st.figures['p99Ms']),
              verdict: st.pass ? ('met' as const) : ('broke' as const),
            },
          ],
    ),
  );
}

/** The HTML section (without the chart, which html.ts renders to SVG and passes in). */
export function capacityHtml(c: CapacitySection, chartSvg: string): string {
  const table = `<table><thead><tr><th>transport</th><th>largest audience that met the level</th><th>first that broke it</th><th>limit</th><th>why</th><th>figures at the limit</th><th>steps in order</th></tr></thead><tbody>${rows(
    c,
  )
    .map(
      (r) =>
        `<tr><td>${e(r.label)}</td><td class="num">${e(r.largestPass)}</td><td class="num">${e(r.firstFail)}</td><td>${e(r.limit)}</td><td>${e(r.detail)}</td><td>${e(r.figures)}</td><td>${e(r.steps)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  const proj = projections(c);
  const projection = proj.length
    ? `<h3>A million clients, projected from the measured costs</h3><p class="caption">${e(projectionCaption)}</p><ul>${FORMULA.map((f) => `<li><code>${e(f)}</code></li>`).join('')}</ul><table><thead><tr><th>transport</th><th>server cores</th><th>server processes</th><th>memory</th><th>load cores</th><th>load hosts</th><th>source addresses</th><th>inputs</th></tr></thead><tbody>${proj
        .map(
          ({ label, p }) =>
            `<tr><td>${e(label)}</td><td class="num">${p.serverCores.toFixed(1)}</td><td class="num">${int(p.serverProcesses)}</td><td class="num">${gib(p.memoryBytes)}</td><td class="num">${p.loadCores.toFixed(1)}</td><td class="num">${int(p.loadHosts)}</td><td class="num">${int(p.sourceAddresses)}</td><td>${e(inputText(p))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  return `<section id="capacity"><h2>How many clients? Capacity search</h2><p class="caption">${e(levelText(c))}</p>${chartSvg}${table}${projection}</section>`;
}
