/**
 * A load agent (npm run agent): registers with the broker, and for each run it is given measures its
 * clock offset to the publisher's host (clock-exchange.ts), forks a load process exactly as the
 * orchestrator does (bench/load/main.ts under ManagedChild) and relays messages both ways between the
 * broker and that process. The load process reads its clock shifted by the offset, so its report is
 * on the publisher's clock; the report carries the offset and its uncertainty.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { ManagedChild } from '../child.ts';
import type { AgentClock, FromLoad, LoadReport, ToLoad } from '../load/ipc.ts';
import { measureClockOffset } from './clock-exchange.ts';
import { connectRedis, ListReader } from './redis-link.ts';
import {
  AGENTS_LIST,
  ALIVE_MS,
  aliveKey,
  inboxKey,
  outboxKey,
  type AgentInfo,
  type FromAgent,
  type ToAgent,
} from './protocol.ts';

const LOAD_SCRIPT = './load/main.ts';

export interface AgentOptions {
  url: string;
  name?: string;
  /** Aborting it stops the agent: its load processes are stopped and awaited, its registration removed. */
  signal: AbortSignal;
  /** One line per event worth telling the person who started it. */
  log?: (line: string) => void;
}

interface Session {
  child: ManagedChild<ToLoad, FromLoad>;
  clock: AgentClock;
}

/** Runs until `signal` aborts or the broker goes away (then it throws). */
export async function runAgent(o: AgentOptions): Promise<void> {
  const log = o.log ?? (() => {});
  const redis = await connectRedis(o.url);
  const blocking = await connectRedis(o.url).catch((err: Error) => {
    redis.disconnect();
    throw err;
  });
  const hostname = os.hostname();
  const name = o.name ?? hostname;
  const info: AgentInfo = {
    id: `${name}-${process.pid}-${randomUUID().slice(0, 8)}`,
    name,
    hostname,
    pid: process.pid,
    cpus: os.availableParallelism(),
  };
  const registration = JSON.stringify(info);
  const sessions = new Map<string, Session>();
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    stop.abort();
  };
  const stop = new AbortController();
  o.signal.addEventListener('abort', () => stop.abort(), { once: true });
  const push = (key: string, message: FromAgent | AgentInfo) =>
    redis.rpush(key, JSON.stringify(message)).catch((err: Error) => fail(err));

  // The plan that claimed this agent, by its alive key: when that expires, its orchestrator is gone.
  let claimedBy: string | undefined;
  // Released by a plan at least once: a plan stops its broker when it ends, which then ends the agent.
  let released = false;
  const orphaned = async () => {
    if (!claimedBy || (await redis.exists(claimedBy).catch(() => 1))) return;
    claimedBy = undefined;
    log('the plan that claimed this agent is gone: stopping its load processes; waiting for work');
    await Promise.all([...sessions.values()].map((s) => s.child.stop()));
    await redis.rpush(AGENTS_LIST, registration).catch(fail);
  };
  const alive = () => redis.set(aliveKey(info.id), '1', 'PX', ALIVE_MS).then(() => {}, fail);
  await alive();
  const heartbeat = setInterval(() => void alive().then(orphaned), ALIVE_MS / 4);
  await redis.rpush(AGENTS_LIST, registration);
  log(`registered as ${info.id} at ${o.url}; waiting for work`);

  const measure = async (at: Extract<ToAgent, { type: 'start' }>['clock']): Promise<AgentClock> => {
    const offset = await measureClockOffset(at.host, at.port, at.exchanges);
    return {
      offsetNs: offset.offsetNs.toString(),
      uncertaintyNs: Number(offset.uncertaintyNs),
      exchanges: offset.exchanges,
    };
  };

  const start = async (m: Extract<ToAgent, { type: 'start' }>) => {
    const out = outboxKey(info.id, m.session);
    let clock: AgentClock;
    try {
      clock = await measure(m.clock);
    } catch (err) {
      return void push(out, { type: 'failed', message: (err as Error).message });
    }
    if (stop.signal.aborted) return void push(out, { type: 'failed', message: 'the agent is stopping' });
    const child = new ManagedChild<ToLoad, FromLoad>('load generator', LOAD_SCRIPT, [], null);
    sessions.set(m.session, { child, clock });
    void push(out, { type: 'started', pid: child.pid ?? -1, clock });
    // The report gets the offset measured again once the run is over (the clocks' drift over it:
    // run-figures.ts); what follows it waits, so the plan reads everything in the process's order.
    const afterRun = async (report: LoadReport): Promise<LoadReport> => {
      try {
        return { ...report, clockAfter: await measure(m.clock) };
      } catch (err) {
        log(
          `run ${m.session}: no clock offset after the run (${(err as Error).message}): its drift is not in the uncertainty`,
        );
        return report;
      }
    };
    let outgoing: Promise<unknown> = Promise.resolve();
    const forward = (next: () => Promise<FromAgent>) => {
      outgoing = outgoing.then(async () => push(out, await next()));
    };
    child.onMessage((message) =>
      forward(async () => ({
        type: 'load',
        message: message.type === 'result' ? { ...message, report: await afterRun(message.report) } : message,
      })),
    );
    void child.exited.then(({ code, signal }) => {
      sessions.delete(m.session);
      forward(async () => ({ type: 'exited', code, signal, lastWords: child.lastWords() }));
    });
    log(`run ${m.session}: load process ${child.pid}, clock offset ${clock.offsetNs} ns ± ${clock.uncertaintyNs} ns`);
  };

  const onMessage = (m: ToAgent) => {
    if (m.type === 'claim') {
      claimedBy = m.planAlive;
      void push(m.replyTo, info);
    } else if (m.type === 'start') void start(m);
    else if (m.type === 'load') {
      const session = sessions.get(m.session);
      if (!session) return;
      const message = m.message;
      session.child.send(message.type === 'run' ? { ...message, clock: session.clock } : message);
    } else if (m.type === 'stop') void sessions.get(m.session)?.child.stop();
    else if (m.type === 'release') {
      claimedBy = undefined;
      released = true;
      log('released; waiting for work');
      void redis.rpush(AGENTS_LIST, registration).catch(fail);
    }
  };
  const reader = new ListReader<ToAgent>(blocking, inboxKey(info.id), onMessage, undefined, fail);
  try {
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      stop.signal.addEventListener('abort', () => resolve(), { once: true });
      void reader.done.then(() => resolve());
    });
  } finally {
    clearInterval(heartbeat);
    await reader.close();
    await Promise.all([...sessions.values()].map((s) => s.child.stop()));
    // Best effort: the broker may be what failed.
    await Promise.allSettled([
      redis.lrem(AGENTS_LIST, 0, registration),
      redis.del(aliveKey(info.id), inboxKey(info.id)),
    ]);
    redis.disconnect();
  }
  if (failure && released && !claimedBy) {
    log('the broker closed after its plan released this agent: done');
    return;
  }
  if (failure) throw new Error(`broker connection lost: ${failure.message}`);
}
