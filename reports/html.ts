/**
 * The HTML report: one self-contained page (inline CSS, inline SVG charts rendered by vega from
 * Vega-Lite specs, one small inline script for sorting tables), readable offline and from file://.
 * A pure function of the result files: it reads no clock, environment or disk. Async only because
 * vega renders asynchronously.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunMetrics } from '../bench/result-schema.ts';
import {
  completedSummaries,
  bytesRows,
  countRows,
  latencyChartInputs,
  matrixLayout,
  matrixPoints,
  rttRows,
  spreadRows,
  transportOrder,
  transportSeries,
  wantsLog,
} from './chart-data.ts';
import { compareWithBaseline } from './baseline.ts';
import { bytesChartSpec } from './charts/bytes-chart.ts';
import { transportColors } from './charts/common.ts';
import { latencyChartSpec } from './charts/latency-chart.ts';
import { matrixChartSpec } from './charts/matrix-chart.ts';
import { perEventCountsSpec } from './charts/per-event-chart.ts';
import { renderSvg } from './charts/render-svg.ts';
import { rttChartSpec } from './charts/rtt-chart.ts';
import { scalabilityChartSpec, type ScalabilityPoint } from './charts/scalability-chart.ts';
import { spreadChartSpec } from './charts/spread-chart.ts';
import { capacityChartSpec } from './charts/capacity-chart.ts';
import { capacityHtml, capacityPoints, searchLabel } from './capacity.ts';
import { escapeHtml as e } from './escape.ts';
import { fmtMs, fmtTimes, transportName, type Headline } from './headline.ts';
import {
  baselineTable,
  definitionList,
  jobTable,
  latencyPartsTable,
  noticesBlock,
  resilienceSection,
  scalabilityTable,
} from './html-tables.ts';
import { SORT_SCRIPT, STYLE } from './html-style.ts';
import { methodsEntries, metricDefinitions } from './methods.ts';
import { pathFacts } from './path-facts.ts';
import { pathPartsTable } from './path-parts.ts';
import { resilienceTables } from './resilience.ts';
import { brokerSection } from './broker.ts';
import { scaleSection } from './scale-sections.ts';
import { pathDeltas } from './path-deltas.ts';
import { pathDeltasSection } from './path-deltas-html.ts';
import { conditionsLegend } from './wire-text.ts';
import { wireBytesRows } from './wire-bytes.ts';
import { wireBytesChartSpec } from './charts/wire-bytes-chart.ts';
import { divideToDisplay, entryOf, MATRIX_CHARTS, SPREAD_CHARTS } from './metric-catalog.ts';
import { HISTORICAL_2010, PROJECTION_CLIENTS, projectBitsPerSecond, toMbitPerS } from './scalability.ts';
import { summaryOf, type Renderable, type ReportSummary } from './summary.ts';
import type { Notice } from './warnings.ts';

export interface HtmlOptions {
  baseline?: { result: Renderable; name: string };
}

interface Chart {
  id: string;
  spec: TopLevelSpec;
  caption: string;
}

type Colors = ReturnType<typeof transportColors>;

function headlineBlock(h: Headline | null, colors: Colors, notices: Notice[]): string {
  if (!h)
    return '<p class="lede">No headline: this result has no parameter set where short polling and another transport both completed.</p>';
  const color = (label: string) => colors.range[colors.domain.indexOf(label)] ?? '#888';
  const cards = h.rows.map((r) => {
    const requests =
      r.requestsPerEvent === 0
        ? `<div class="big">no <small>HTTP requests</small></div><p>short polling: ${e(h.reference.requestsPerEvent.toFixed(2))} per event</p>`
        : Math.abs(r.requestsTimes - 1) < 0.05
          ? `<div class="big">as many <small>HTTP requests</small></div><p>${e(r.requestsPerEvent.toFixed(2))} per event</p>`
          : `<div class="big">${e(fmtTimes(r.requestsTimes, 'fewer'))} <small>HTTP requests</small></div><p>${e(r.requestsPerEvent.toFixed(2))} vs ${e(h.reference.requestsPerEvent.toFixed(2))} per event</p>`;
    const others = r.versusOthers
      .map((o) => `${o.label}: ${fmtTimes(o.latencyTimes, 'lower')} latency, ${fmtTimes(o.bytesTimes, 'fewer')} bytes`)
      .join('; ');
    return `<div class="card" style="--accent:${color(r.label)}"><h3>${e(transportName(r.transport))}</h3>
<div class="big">${e(fmtTimes(r.latencyTimes, 'lower'))} <small>latency</small></div><p>median ${e(fmtMs(r.latencyP50Ms))} vs ${e(fmtMs(h.reference.latencyP50Ms))}</p>
<div class="big">${e(fmtTimes(r.bytesTimes, 'fewer'))} <small>bytes</small></div><p>${e(r.bytesPerEvent.toFixed(0))} B vs ${e(h.reference.bytesPerEvent.toFixed(0))} B per delivered event, both ways</p>
${requests}
<div class="big">${e(fmtTimes(r.cpuTimes, 'less'))} <small>server CPU</small></div><p>${e(r.cpuPer1000.toFixed(0))} vs ${e(h.reference.cpuPer1000.toFixed(0))} CPU ms per 1,000 events</p>
${others ? `<p class="vs">vs ${e(others)}</p>` : ''}</div>`;
  });
  const own = notices.filter((n) => n.parameterSet === h.parameterSet);
  const serious = own.filter((n) => n.kind !== 'note');
  const status = serious.length
    ? `<p class="warn">This parameter set has ${serious.length} warning${serious.length === 1 ? '' : 's'}: ${e(
        serious
          .slice(0, 3)
          .map((n) => `${n.label}: ${n.text}`)
          .join('; '),
      )}${serious.length > 3 ? '; ...' : ''} (see Warnings).</p>`
    : `<p class="caption">No loss, failed runs or saturation in this parameter set${own.length ? ` (${own.length} minor note${own.length === 1 ? '' : 's'} under Warnings)` : ''}; warnings below concern other parameter sets.</p>`;
  return `<p class="lede">At <strong>${e(h.parameterText)}</strong>, compared with <strong>short polling every ${e(String(h.reference.pollIntervalMs))} ms</strong> (the scenario's first poll interval):</p>
<div class="cards">${cards.join('')}</div>${h.pathChoice ? `<p class="caption">${e(h.pathChoice)}</p>` : ''}${status}`;
}

const MATRIX_METRICS = MATRIX_CHARTS.map((key) => {
  const info = entryOf(key);
  const chart = info.matrix!;
  return {
    title: chart.title,
    yTitle: chart.yTitle,
    derive: chart.perRun ?? ((m: RunMetrics) => divideToDisplay(info, m[key]?.value ?? Number.NaN)),
  };
});

function charts(
  summary: ReportSummary,
  colors: Colors,
): { latency: Chart[]; costs: Chart[]; matrix: Chart[]; scalability: Chart[]; network: Chart[] } {
  const order = transportOrder(summary.result);
  const latency = latencyChartInputs(summary, colors).map((input, i) => ({
    id: `latency-${i + 1}`,
    spec: latencyChartSpec(input),
    caption:
      'Read along a line: the share of deliveries (x) that arrived within the latency on the y axis. A flat line is predictable; a line bending up at 99% has a slow tail. Short polling sits near half its interval at the median because the data waits for the next poll.',
  }));

  const wire = wireBytesRows(summary.jobs);
  const bytes = bytesRows(summary);
  const counts = countRows(summary);
  const costs: Chart[] = [];
  if (bytes.length)
    costs.push({
      id: 'bytes',
      spec: bytesChartSpec(bytes, order),
      caption:
        "Payload is the event data itself; the envelope is its encoding around it (JSON's sequence number and timestamp fields, the binary record's 16-byte header, and base64's extra third where SSE carries binary events); a compressed job's download is one bar. Headers + framing are HTTP status lines and headers, SSE and chunk framing or WebSocket frame headers; up is what the client sent.",
    });
  if (wire.rows.length)
    costs.push({
      id: 'wire-bytes',
      spec: wireBytesChartSpec(wire.rows, wire.variants, colors),
      caption:
        "Each group is one wire: what the clients send (header profile, HTTP version) and how events travel. HTTP/2 compresses a repeated request's headers (HPACK), so a poll's upload shrinks to a few bytes; a browser's headers and cookie cost a poll hundreds. WebSocket appears only under HTTP/1.1: the ws library has no WebSocket over HTTP/2 (RFC 8441), so it keeps its HTTP/1.1 upgrade on every wire.",
    });
  if (counts.length)
    costs.push({
      id: 'requests',
      spec: perEventCountsSpec(counts, order),
      caption:
        'HTTP requests and empty responses per delivered event: polling pays them per poll, pushed streams pay nothing once open. TCP connects and WebSocket handshakes in the window show reconnects (zero when connections are kept alive).',
    });
  for (const key of SPREAD_CHARTS) {
    const rows = spreadRows(summary, key);
    const chart = entryOf(key).spreadChart!;
    if (rows.length)
      costs.push({
        id: chart.id,
        spec: spreadChartSpec({
          title: chart.title,
          subtitle: chart.subtitle,
          axisTitle: chart.axisTitle,
          rows,
          transports: order,
          colors,
        }),
        caption: chart.caption,
      });
  }

  const summaries = completedSummaries(summary);
  const layout = matrixLayout(summaries);
  const matrix: Chart[] = layout.varies
    ? MATRIX_METRICS.map((mm, i) => {
        const points = matrixPoints(summaries, layout, mm.derive);
        return {
          id: `matrix-${i + 1}`,
          spec: matrixChartSpec({
            title: mm.title,
            subtitle: 'median of runs; vertical line: min to max across runs',
            xTitle: layout.xTitle,
            yTitle: mm.yTitle,
            points,
            logX: layout.logX,
            logY: wantsLog(points.map((p) => p.median)),
            colors,
          }),
          caption: '',
        };
      }).filter((c) => (c.spec as { data: { values: unknown[] } }).data.values.length > 0)
    : [];

  const scal = summary.scalability;
  const scalability: Chart[] = [];
  if (scal) {
    const points: ScalabilityPoint[] = [
      ...PROJECTION_CLIENTS.map((clients) => ({
        series: 'polling (2010: 871 B headers)',
        source: '2010' as const,
        clients,
        mbit: toMbitPerS(projectBitsPerSecond(HISTORICAL_2010.pollingOverheadBytes, clients)),
      })),
      ...PROJECTION_CLIENTS.map((clients) => ({
        series: 'WebSocket (2010: 2 B frame)',
        source: '2010' as const,
        clients,
        mbit: toMbitPerS(projectBitsPerSecond(HISTORICAL_2010.webSocketOverheadBytes, clients)),
      })),
      ...scal.rows.flatMap((r) =>
        r.overhead.map((p) => ({
          series: r.label,
          source: colors.domain.includes(r.label) ? ('measured' as const) : ('other wire' as const),
          clients: p.clients,
          mbit: p.mbit,
        })),
      ),
    ];
    // A row measured on another wire ("short-poll 1000ms (HTTP/2 (h2c))") takes its transport's colour.
    const twins = scal.rows.filter((r) => !colors.domain.includes(r.label));
    const twinColour = (label: string) =>
      colors.range[colors.domain.findIndex((d) => label.startsWith(`${d} (`))] ?? '#888888';
    const domain = [
      ...colors.domain,
      ...twins.map((r) => r.label),
      'polling (2010: 871 B headers)',
      'WebSocket (2010: 2 B frame)',
    ];
    const range = [...colors.range, ...twins.map((r) => twinColour(r.label)), '#8c564b', '#17becf'];
    scalability.push({
      id: 'scalability',
      spec: scalabilityChartSpec(
        points,
        `solid: measured headers and framing (no payload; the table adds it)${twins.length ? '; dotted: the same cell on another wire' : ''}; dashed: the 2010 figures`,
        { domain, range },
      ),
      caption:
        (twins.length
          ? "Dotted: the same cell measured on another wire (a browser's headers and cookie, HTTP/2, the 2010 article's headers), in its transport's colour. "
          : '') +
        'Solid: our measured headers and framing per delivered event, both directions. Dashed: the 2010 figures (871 bytes of HTTP headers per poll, 2 bytes of WebSocket framing). Lines that coincide cost about the same: short polling every 1000 ms and long polling; short polling every 250 ms pays about what the 2010 table assumed for polling.',
    });
  }
  const rtt = rttRows(summary);
  const network: Chart[] = rtt.length
    ? [
        {
          id: 'rtt',
          spec: rttChartSpec({ points: rtt, logY: wantsLog(rtt.map((p) => p.ms)), colors }),
          caption:
            "Each point is a job's median or p99 latency (medians over runs) at its network profile's configured round trip; loopback sits at 0. A push (WebSocket, SSE) costs about half a round trip over the loopback floor, a long poll between half and a whole round trip (the event may arrive while the next poll is on its way), a short poll about half its interval plus half a round trip.",
        },
      ]
    : [];
  return { latency, costs, matrix, scalability, network };
}

/** What the path and wire labels in the parameter set column mean, in words (nothing when all are defaults). */
function pathLegendBlock(result: ReportSummary['result']): string {
  const legend = conditionsLegend(result.jobs);
  if (legend.length === 0) return '';
  return `<p class="caption">Conditions: ${legend.map((p) => `<code>${e(p.label)}</code> is ${e(p.text)}`).join('; ')}; the rest ran direct over loopback, HTTP/1.1, with minimal headers and JSON events.</p>`;
}

/** The network path facts under Methods, with the proxy's whole configuration folded away (escaped). */
function pathBlock(result: ReportSummary['result']): string {
  const facts = pathFacts(result);
  if (facts.length === 0) return '';
  const proxy = result.context.proxy;
  const config = proxy
    ? `<details><summary>${e(`${proxy.name} configuration (first run; ports differ per run)`)}</summary><pre style="overflow-x:auto;font-size:12px">${e(proxy.config)}</pre></details>`
    : '';
  return `<h3>Network path</h3>${definitionList(facts)}${config}`;
}

async function figure(chart: Chart): Promise<string> {
  const svg = await renderSvg(chart.spec);
  return `<figure class="chart" id="chart-${chart.id}" data-chart="${chart.id}">${svg}${chart.caption ? `<figcaption>${e(chart.caption)}</figcaption>` : ''}</figure>`;
}

const figures = (list: Chart[]) => Promise.all(list.map(figure)).then((parts) => parts.join('\n'));

export async function renderHtml(input: Renderable, options: HtmlOptions = {}): Promise<string> {
  // The result aggregated once for every part of the page (or by the caller, for all its outputs).
  const summary = summaryOf(input);
  const result = summary.result;
  const ctx = result.context;
  const colors = transportColors(transportSeries(result));
  const c = charts(summary, colors);
  const [latencySvg, costSvg, matrixSvg, scalabilitySvg, networkSvg] = await Promise.all([
    figures(c.latency),
    figures(c.costs),
    figures(c.matrix),
    figures(c.scalability),
    figures(c.network),
  ]);
  const capacity = result.capacity
    ? capacityHtml(
        result.capacity,
        await renderSvg(
          capacityChartSpec(
            capacityPoints(result.capacity),
            result.capacity.serviceLevel.p99Ms,
            transportColors(result.capacity.searches.map((s) => ({ label: searchLabel(s), transport: s.transport }))),
          ),
        ),
      )
    : '';
  const scal = summary.scalability;
  const notices = summary.notices;
  const reps = ctx.scenario.repetitions;
  const deltas = pathDeltasSection(pathDeltas(summary.jobs));
  const resilience = resilienceSection(resilienceTables(summary.jobs));
  const broker = brokerSection(summary.jobs);
  const scale = scaleSection(summary.jobs);
  const title = `pollbench: scenario "${ctx.scenario.name}", ${ctx.startedAt.slice(0, 10)}`;

  const sections = [
    `<section id="headline"><h2>Headline</h2>${headlineBlock(summary.headline, colors, notices)}</section>`,
    noticesBlock(notices),
    capacity,
    `<section id="latency"><h2>Latency: how stale the data is when it arrives</h2><p class="caption">Publish-to-receive on one monotonic clock; for polling this includes the wait for the next poll.</p>${latencySvg || '<p>No completed run.</p>'}${latencyPartsTable(summary.jobs)}${pathPartsTable(summary.jobs)}</section>`,
    networkSvg ? `<section id="network"><h2>Latency against the network's round trip</h2>${networkSvg}</section>` : '',
    deltas,
    `<section id="costs"><h2>What each delivered event costs</h2>${costSvg || '<p>No completed run.</p>'}</section>`,
    matrixSvg
      ? `<section id="matrix"><h2>Across the parameter matrix</h2><p class="caption">How each figure moves with the varying parameter: where long polling approaches push, and where short polling breaks.</p><div class="grid2">${matrixSvg}</div></section>`
      : '',
    scal
      ? `<section id="scalability"><h2>The 2010 scalability table, rebuilt from measured bytes</h2>${scalabilitySvg}${scalabilityTable(scal)}</section>`
      : '',
    resilience,
    broker,
    scale,
    `<section id="jobs"><h2>Every job, every metric</h2><p class="caption">Median over completed runs, [min-max] across runs where they differ. Click a column header to sort; scroll sideways for every metric (definitions under Methods). Red rows had failed runs.</p>${pathLegendBlock(result)}${jobTable(summary.jobs)}</section>`,
    options.baseline
      ? `<section id="baseline"><h2>Compared with a baseline</h2>${baselineTable(compareWithBaseline(summary, options.baseline.result), options.baseline.name)}</section>`
      : '',
    `<section id="methods"><h2>Methods</h2>${definitionList(methodsEntries(result))}${pathBlock(result)}<h3>Metric definitions</h3>${definitionList(metricDefinitions())}</section>`,
  ].filter(Boolean);

  const nav = [
    ['headline', 'Headline'],
    ...(notices.length ? [['warnings', 'Warnings']] : []),
    ...(capacity ? [['capacity', 'Capacity']] : []),
    ['latency', 'Latency'],
    ...(networkSvg ? [['network', 'Network']] : []),
    ...(deltas ? [['path-deltas', 'What the path adds']] : []),
    ['costs', 'Costs'],
    ...(matrixSvg ? [['matrix', 'Matrix']] : []),
    ...(scal ? [['scalability', '2010 table']] : []),
    ...(resilience ? [['resilience', 'Resilience']] : []),
    ...(broker ? [['broker', 'Broker']] : []),
    ...(scale ? [['scale', 'Processes']] : []),
    ['jobs', 'All jobs'],
    ...(options.baseline ? [['baseline', 'Baseline']] : []),
    ['methods', 'Methods'],
  ];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pollbench ${e(ctx.tool.version)}">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Short polling, long polling, SSE and WebSocket: measured</h1>
<p class="sub">${e(`Scenario "${ctx.scenario.name}" (${ctx.profile} profile), ${reps} repetition${reps === 1 ? '' : 's'} per job, ${ctx.cpu.count} x ${ctx.cpu.model}, Node ${ctx.node}, ${ctx.scenario.framework}; started ${ctx.startedAt}; status ${result.status}`)}</p>
<nav>${nav.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>
</header>
<main>
${sections.join('\n')}
</main>
<footer>Generated by pollbench ${e(ctx.tool.version)} from a saved result file; re-render any time with <code>npm run report -- &lt;result.json&gt;</code>.</footer>
<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
}
