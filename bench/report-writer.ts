/**
 * Renders the HTML report and the Markdown summary of a result and writes them next to it
 * (`x.json` -> `x.html`, `x.md`), atomically. Shared by `npm run bench` and `npm run report`.
 */
import path from 'node:path';
import type { Result } from './result-schema.ts';
import { summaryOf, type Renderable } from '../reports/summary.ts';
import { writeAtomic } from './result-store.ts';
import { renderHtml } from '../reports/html.ts';
import { renderMarkdown } from '../reports/markdown.ts';

export interface WrittenReports {
  html: string;
  markdown: string;
  htmlBytes: number;
  renderMs: number;
}

export interface ReportInput {
  /** The result, or its summary when the caller renders other outputs of it too (built once). */
  result: Renderable;
  /** Output path without extension, e.g. results/2026-...-default */
  stem: string;
  baseline?: { result: Result; name: string };
}

export async function writeReports({ result, stem, baseline }: ReportInput): Promise<WrittenReports> {
  const started = performance.now();
  const htmlFile = `${stem}.html`;
  const markdownFile = `${stem}.md`;
  // Each result aggregated once for both outputs (once in all if the caller passed a summary).
  const summary = summaryOf(result);
  const against = baseline ? { ...baseline, result: summaryOf(baseline.result) } : undefined;
  const html = await renderHtml(summary, { baseline: against });
  const markdown = renderMarkdown(summary, { baseline: against, htmlReport: path.basename(htmlFile) });
  const renderMs = performance.now() - started;
  writeAtomic(htmlFile, html);
  writeAtomic(markdownFile, markdown);
  return { html: htmlFile, markdown: markdownFile, htmlBytes: Buffer.byteLength(html), renderMs };
}

/** `results/x.json` -> `results/x`. */
export function stemOf(file: string): string {
  return file.replace(/\.json$/i, '');
}
