/**
 * The resilience tables (issue 12): one per workload that is not the steady feed (forced drops, a
 * server restart, idle clients, slow readers), a row per job of that workload, the columns its catalog
 * entries name (`resilience` in reports/metric-catalog.ts). Pure: summaries in, rows out; the HTML and
 * Markdown renderers only lay them out.
 */
import { anyMetric, transportLabel, type JobSummary } from './aggregate.ts';
import { formatMetric, labelWithUnit, METRICS, metricInfo, type ResilienceWorkload } from './metric-catalog.ts';

/** A cell: the text shown and the displayed value to sort by (NaN where the job lacks the figure). */
export interface ResilienceCell {
  text: string;
  value: number;
}

export interface ResilienceTable {
  workload: ResilienceWorkload;
  id: string;
  title: string;
  caption: string;
  heads: string[];
  rows: { parameterSet: string; transport: string; cells: ResilienceCell[] }[];
}

const TABLES: Record<ResilienceWorkload, { title: string; caption: string }> = {
  drops: {
    title: 'Forced drops: delivery after catch-up',
    caption:
      'A share of the clients lose their connection (TCP reset) every few seconds, stay offline, then reconnect and resume (since, Last-Event-ID, the next poll). Loss is counted after the catch-up: anything missing was never delivered.',
  },
  restart: {
    title: 'Server restart: how fast every client is back',
    caption:
      'The server process is killed mid-window and started again on the same port; the feed lives in the publisher, so nothing needs to be missed. Recovery runs from just before the new server calls listen() to each client reading its first answer to a request sent after the kill.',
  },
  idle: {
    title: 'Idle clients: what holding a connection costs',
    caption:
      "No events: what each transport spends to hold one client for a minute with the keep-alive it really needs (WebSocket ping/pong, SSE comment lines, long polling's wait expiry, short polling's empty answers), as recorded in the job.",
  },
  'slow-readers': {
    title: 'Slow readers: the healthy clients beside clients that stop reading',
    caption:
      'Extra clients connect and never read. The figures are the healthy clients’ and the server’s; a slow reader past its buffer limit is dropped and counted.',
  },
};

/** The job's parameters but its workload, to find the steady job of the same cell. */
function cellKey(s: JobSummary): string {
  const { workload: _workload, ...rest } = s.job.params;
  return JSON.stringify(rest);
}

export function resilienceTables(jobs: JobSummary[]): ResilienceTable[] {
  const tables: ResilienceTable[] = [];
  const steady = new Map(jobs.filter((s) => s.job.params.workload.kind === 'steady').map((s) => [cellKey(s), s]));
  for (const workload of Object.keys(TABLES) as ResilienceWorkload[]) {
    const summaries = jobs.filter((s) => s.job.params.workload.kind === workload);
    if (summaries.length === 0) continue;
    const keys = METRICS.filter((m) => m.resilience?.workloads.includes(workload))
      .sort((a, b) => a.resilience!.column - b.resilience!.column)
      .map((m) => m.key)
      .filter((key) => summaries.some((s) => anyMetric(s.metrics, key)));
    // Each job after the same cell's steady job where the plan has one, so that what the workload
    // changed (latency, memory) reads off two adjacent rows.
    const rows = summaries.flatMap((s) => {
      const reference = steady.get(cellKey(s));
      return reference ? [reference, s] : [s];
    });
    tables.push({
      workload,
      id: `resilience-${workload}`,
      ...TABLES[workload],
      heads: keys.map((key) => labelWithUnit(key)),
      rows: rows.map((s) => ({
        parameterSet: s.job.parameterSet,
        transport: transportLabel(s.job),
        cells: keys.map((key) => {
          const m = anyMetric(s.metrics, key);
          if (!m || s.completed.length === 0) return { text: 'n/a', value: Number.NaN };
          return { text: formatMetric(key, m.median), value: m.median * metricInfo(key, m.unit).scale };
        }),
      })),
    });
  }
  return tables;
}

/** The tables as Markdown, a heading each. */
export function resilienceMarkdown(tables: ResilienceTable[], md: (text: string) => string): string[] {
  const lines: string[] = [];
  for (const t of tables) {
    lines.push(`### ${md(t.title)}`, '', md(t.caption), '');
    const head = ['parameter set', 'transport', ...t.heads];
    lines.push(`| ${head.map(md).join(' | ')} |`, `| ${head.map((_, i) => (i >= 2 ? '---:' : '---')).join(' | ')} |`);
    for (const r of t.rows)
      lines.push(`| ${[md(r.parameterSet), md(r.transport), ...r.cells.map((c) => md(c.text))].join(' | ')} |`);
    lines.push('');
  }
  return lines;
}
