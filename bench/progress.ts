/**
 * The live progress line (stderr). On a terminal it rewrites one line; elsewhere (CI logs) it prints
 * one line per run so the log stays readable.
 */
import type { Progress } from './orchestrator.ts';

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr): {
  update(p: Progress): void;
  done(): void;
} {
  const tty = stream.isTTY === true;
  let lastRun = -1;
  let lastLength = 0;
  return {
    update(p) {
      const eta = p.etaMs === null ? '' : `, ETA ${clock(p.etaMs)}`;
      const detail =
        p.phase === 'measure' || p.phase === 'warmup' || p.phase === 'drain'
          ? ` ${(p.done / 1000).toFixed(1)}/${(p.total / 1000).toFixed(1)}s`
          : p.phase === 'connect'
            ? ` ${p.done}/${p.total}`
            : '';
      const line = `[${p.run}/${p.runs}] ${p.label}: ${p.phase}${detail} (elapsed ${clock(p.elapsedMs)}${eta})`;
      if (tty) {
        const width = (stream.columns ?? 120) - 1;
        const text = line.length > width ? `${line.slice(0, width - 1)}…` : line;
        stream.write(`\r${text.padEnd(lastLength)}`);
        lastLength = text.length;
      } else if (p.run !== lastRun) {
        stream.write(`${line}\n`);
      }
      lastRun = p.run;
    },
    done() {
      if (tty && lastLength) stream.write(`\r${' '.repeat(lastLength)}\r`);
    },
  };
}
