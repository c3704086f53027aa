/**
 * `npm run bench`: parse options, run the plan, print the comparison. Argument parsing lives in
 * bench/args.ts, running in bench/orchestrator.ts, rendering in reports/; this file only wires them
 * and owns the exit code and Ctrl-C.
 */
import path from 'node:path';
import { USAGE, UsageError, parseCli } from '../args.ts';
import { runPlan } from '../orchestrator.ts';
import { PathUnavailableError, preparePaths } from '../path-tools.ts';
import { expandScenario } from '../matrix.ts';
import { requireBroker } from '../broker/plan-broker.ts';
import { BrokerUnavailableError } from '../broker/redis-server.ts';
import { createProgressPrinter } from '../progress.ts';
import { detectPinning, stopAllChildren } from '../child.ts';
import {
  clientsPerProcess,
  maxClientsFor,
  prepareDescriptors,
  readDescriptorLimits,
  readRaiseRights,
} from '../descriptors.ts';
import { capacityPlan } from '../capacity/driver.ts';
import { readMachine } from '../capacity/machine.ts';
import { capacityMarkdown } from '../../reports/capacity.ts';
import { loadCores, loadProcessesLine } from '../load-processes.ts';
import { ephemeralPorts, jobSourcePlan } from '../source-addresses.ts';
import { renderConsole } from '../../reports/console.ts';
import { summarizeResult } from '../../reports/summary.ts';
import { renderSamplesPerCell, renderTimeBreakdown } from '../../reports/time-breakdown.ts';
import { stemOf, writeReports } from '../report-writer.ts';
import { runCommand, stopOnInterrupt, unusableOutput } from './runner.ts';
import { agentHostsOrExit } from '../agent/hosts.ts';

async function main(): Promise<number> {
  let options;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`pollbench: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  // Before anything starts: a folder the result can be written in, or one line and exit 2.
  const badOut = unusableOutput('pollbench', '--out', options.outDir);
  if (badOut !== null) return badOut;

  const limits = readDescriptorLimits();
  // A capacity search runs its first audience as the plan and adds the others as it goes, never above
  // what the descriptors allow (so the check below covers its first batch, the cap covers the rest).
  // The limit is per process: the cap is what the busiest process may hold times the processes the
  // clients are split over; none when this process may raise the limit for its children.
  const split = Math.min(
    ...(options.scenario.matrix.deployments ?? [{ serverProcesses: 1 }]).map((d) => d.serverProcesses),
    Math.max(1, options.loadProcesses ?? 1),
  );
  const descriptorCap = limits && !readRaiseRights().canRaise ? maxClientsFor(limits.hard) * split : null;
  const capacity = options.capacity
    ? capacityPlan(options.scenario, options.capacity, readMachine(limits?.hard ?? null), descriptorCap)
    : null;
  const scenario = capacity?.scenario ?? options.scenario;
  if (capacity) {
    const c = capacity.settings;
    process.stderr.write(
      `pollbench: capacity search: p99 <= ${options.capacity!.p99Ms} ms, no loss, no client errors; from ${c.start} clients x${c.factor} up to ${c.max}${c.max < options.capacity!.max ? ' (what the open-files limit allows)' : ''}, narrowed to ${(c.resolution * 100).toFixed(0)}%, at most ${c.maxSteps} steps per search\n`,
    );
  }

  // Before anything starts: enough file descriptors for the largest job (raised for the children when
  // this process may), or one line and exit 2.
  const jobs = expandScenario(scenario).map((j) => j.params);
  const fds = prepareDescriptors(clientsPerProcess(jobs, options.loadProcesses));
  if (fds && 'stop' in fds) {
    process.stderr.write(`pollbench: ${fds.stop}\n`);
    return 2;
  }
  if (fds) process.stderr.write(`pollbench: open-file limit raised to ${fds.raised} for the plan's processes\n`);

  // Before anything starts: redis-server when a job reads its feed through it, or one line and exit 2.
  try {
    requireBroker(expandScenario(options.scenario));
  } catch (err) {
    if (!(err instanceof BrokerUnavailableError)) throw err;
    process.stderr.write(`pollbench: ${err.message}\n`);
    return 2;
  }
  // Before anything starts: enough source ports for the largest job, or one line and exit 2.
  const ports = ephemeralPorts();
  const largest = expandScenario(options.scenario).reduce((a, j) => (j.params.clients > a.params.clients ? j : a));
  const sources = ports === null ? null : jobSourcePlan(largest.params, ports, options.agentHosts?.count);
  if (sources && 'problem' in sources) {
    process.stderr.write(`pollbench: ${sources.problem}\n`);
    return 2;
  }
  if (sources && sources.addresses.length > 0)
    process.stderr.write(
      `source addresses: up to ${sources.addresses.length} (127.0.0.2 onwards; ${ports} ephemeral ports each)\n`,
    );
  // With load agents every agent runs a slice of each run's clients: no local load process.
  process.stderr.write(
    options.agentHosts
      ? `load processes: one per load agent (${options.agentHosts.count}), each run's clients split over them\n`
      : `${loadProcessesLine(options.loadProcesses, options.scenario.matrix.clients, loadCores(detectPinning()))}\n`,
  );

  // Before anything starts: the certificate and the proxy the plan's paths need, or one line and exit 2.
  let paths;
  try {
    paths = await preparePaths(scenario);
  } catch (err) {
    if (!(err instanceof PathUnavailableError)) throw err;
    process.stderr.write(`pollbench: ${err.message}\n`);
    return 2;
  }

  const signal = stopOnInterrupt('pollbench', 'finished runs are kept in the result file', stopAllChildren);

  // Before the plan: the load agents, their broker (and namespaces), or one line and exit 2.
  const agents = options.agentHosts ? await agentHostsOrExit(options.agentHosts, signal) : undefined;
  if (typeof agents === 'number') return agents;

  const progress = createProgressPrinter();
  const { result, file } = await runPlan({
    scenario,
    profile: options.profile,
    outDir: options.outDir,
    command: process.argv.slice(2),
    signal,
    onProgress: (p) => progress.update(p),
    paths,
    // A preview's floor needs fewer round trips (its p99 rests on 1,000; recorded in the calibration).
    ...(options.profile === 'quick' ? { calibrationRoundTrips: 1000 } : {}),
    ...(options.inject ? { inject: options.inject } : {}),
    ...(options.allowOrigins ? { allowOrigins: options.allowOrigins } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(capacity ? { extension: capacity.extension } : {}),
    ...(agents ? { agents: agents.pool, listenHost: agents.listenHost } : {}),
    ...(options.loadProcesses !== undefined ? { loadProcesses: options.loadProcesses } : {}),
  }).finally(() => agents?.close());
  progress.done();

  // Aggregated once for the console table and both reports.
  const summary = summarizeResult(result);
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else process.stdout.write(renderConsole(summary));
  // After the tables (on stderr under --json, so stdout stays one JSON document).
  const after = options.json ? process.stderr : process.stdout;
  after.write(`\n${renderSamplesPerCell(result)}\n${renderTimeBreakdown(result)}`);
  if (result.capacity) after.write(`\n${capacityMarkdown(result).join('\n')}\n`);
  after.write(`  (this process: ${process.uptime().toFixed(1)} s so far, including its own start before the plan)\n`);
  const shown = (f: string) => path.relative(process.cwd(), f) || f;
  process.stderr.write(`\nResult: ${shown(file)} (also ${path.join(options.outDir, 'latest.json')})\n`);
  let reportFailed = false;
  try {
    const reports = await writeReports({ result: summary, stem: stemOf(file) });
    process.stderr.write(`Markdown summary: ${shown(reports.markdown)}\nHTML report: ${shown(reports.html)}\n`);
  } catch (err) {
    // The result is already on disk; `npm run report` can render it again once the cause is fixed.
    reportFailed = true;
    process.stderr.write(
      `pollbench: could not render the report (the result file is complete): ${err instanceof Error ? err.message : String(err)}\n`,
    );
  }

  if (result.status === 'interrupted') return 130;
  const failed = result.jobs.some((j) => j.runs.some((r) => r.status !== 'completed'));
  return failed || reportFailed ? 1 : 0;
}

runCommand('pollbench', main, stopAllChildren);
