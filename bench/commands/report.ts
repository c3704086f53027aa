/**
 * `npm run report -- <result.json> [--baseline <other.json>] [--out <dir>]`: re-renders the HTML
 * report and Markdown summary of any saved result file. This file does the reading and writing;
 * rendering is in reports/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommand, runCommand, unusableOutput } from './runner.ts';
import type { Result } from '../result-schema.ts';
import { InputError, loadResultFile as load } from '../result-file.ts';
import { stemOf, writeReports } from '../report-writer.ts';

export const REPORT_USAGE = `Usage: npm run report -- <result.json> [options]

Renders a saved pollbench result as a self-contained HTML report (charts inline, works offline) and
a Markdown summary, written next to the result file (x.json -> x.html, x.md) unless --out is given.

Options:
  --baseline <file>   an earlier result to compare with (adds a baseline section to both reports)
  --out <dir>         where to write the reports (default: the result file's folder)
  --print             also print the Markdown summary to stdout
  -h, --help          show this help

Exit codes: 0 written; 2 bad usage or an unreadable or invalid result file.`;

async function main(): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'pollbench report',
      usage: REPORT_USAGE,
      positionals: { count: 1, describe: (got) => `give exactly one result file (got ${got})` },
    },
    process.argv.slice(2),
    { baseline: { type: 'string' }, out: { type: 'string' }, print: { type: 'boolean' } },
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const file = positionals[0]!;
  let result: Result;
  let baseline: { result: Result; name: string } | undefined;
  try {
    result = load(file);
    if (values.baseline !== undefined)
      baseline = { result: load(values.baseline), name: path.basename(values.baseline) };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    process.stderr.write(`pollbench report: ${err.message}\n`);
    return 2;
  }
  let stem = stemOf(file);
  if (values.out !== undefined) {
    const badOut = unusableOutput('pollbench report', '--out', values.out);
    if (badOut !== null) return badOut;
    stem = path.join(values.out, path.basename(stem));
  }
  const written = await writeReports({ result, stem, baseline });
  if (values.print) process.stdout.write(readFileSync(written.markdown, 'utf8'));
  process.stderr.write(
    `HTML report: ${written.html} (${(written.htmlBytes / 1024).toFixed(0)} KiB, rendered in ${(written.renderMs / 1000).toFixed(1)} s)\nMarkdown summary: ${written.markdown}\n`,
  );
  return 0;
}

runCommand('pollbench report', main);
