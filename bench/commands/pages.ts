/**
 * `npm run pages -- <result.json> <site-dir>`: adds a result to a static report site and rebuilds its
 * index: <site>/results/<id>.json, <site>/reports/<id>.html and <site>/index.html listing every
 * published run. The site folder is whatever is published (the gh-pages branch in the workflow).
 */
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseCommand, runCommand, unusableOutput } from './runner.ts';
import { insideFolder, safeName } from '../safe-name.ts';
import { InputError, loadResultFile } from '../result-file.ts';
import { writeAtomic } from '../result-store.ts';
import { renderHtml } from '../../reports/html.ts';
import { renderPagesIndex, type PublishedRun } from '../../reports/pages-index.ts';

export const PAGES_USAGE = `Usage: npm run pages -- <result.json> <site-dir> [--title <text>]

Publishes a result into a static site folder: the result and its HTML report under a name made of
its start time and commit, and an index.html of every published run, newest first.
Exit codes: 0 written; 2 bad usage or an unreadable result.`;

async function main(): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'pollbench pages',
      usage: PAGES_USAGE,
      positionals: { count: 2, describe: () => 'give a result file and a site folder' },
    },
    process.argv.slice(2),
    { title: { type: 'string' } },
  );
  if (typeof parsed === 'number') return parsed;
  const [file, site] = parsed.positionals as [string, string];
  let result;
  try {
    result = loadResultFile(file);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    process.stderr.write(`pollbench pages: ${err.message}\n`);
    return 2;
  }
  // Both parts come from the result file: one safe name (bench/safe-name.ts), unchanged for real ones.
  const id = safeName(
    `${result.context.startedAt.replace(/[:.]/g, '-')}-${(result.context.gitSha ?? 'nogit').slice(0, 10)}`,
  );
  for (const folder of ['results', 'reports']) {
    const bad = unusableOutput('pollbench pages', 'the site folder', path.join(site, folder));
    if (bad !== null) return bad;
  }
  copyFileSync(file, insideFolder(site, 'results', `${id}.json`));
  writeAtomic(insideFolder(site, 'reports', `${id}.html`), await renderHtml(result));

  // The index comes from every result in the site, so a lost index.html can always be rebuilt.
  const runs: PublishedRun[] = [];
  for (const name of readdirSync(path.join(site, 'results')).filter((n) => n.endsWith('.json'))) {
    const stem = name.replace(/\.json$/, '');
    try {
      runs.push({
        result: loadResultFile(path.join(site, 'results', name)),
        href: `reports/${stem}.html`,
        json: `results/${name}`,
      });
    } catch (err) {
      process.stderr.write(`pollbench pages: skipping ${name}: ${(err as Error).message}\n`);
    }
  }
  writeAtomic(
    insideFolder(site, 'index.html'),
    renderPagesIndex(
      runs.filter((r) => existsSync(path.join(site, r.href))),
      parsed.values.title,
    ),
  );
  process.stderr.write(
    `published ${id} into ${site} (${runs.length} run${runs.length === 1 ? '' : 's'} in the index)\n`,
  );
  return 0;
}

runCommand('pollbench pages', main);
