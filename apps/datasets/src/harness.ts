import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';

export type Level = 'smoke' | 'quick' | 'full';

/** Set by Ctrl+C: loops finish their current batch, the run's partial results are saved. */
export interface StopSignal {
  requested: boolean;
}

export interface Progress {
  /** Announces `units` more units of work (epochs) for the bar's total. */
  plan(units: number): void;
  tick(label: string, units?: number): void;
  stop(): void;
}

/** Without a terminal (a log file, CI, nohup): one plain line at most every 30 s. */
function progressLines(title: string): Progress {
  let total = 0;
  let done = 0;
  let last = 0;
  const started = Date.now();
  return {
    plan(units) {
      total += units;
    },
    tick(label, units = 1) {
      done += units;
      const now = Date.now();
      if (now - last < 30_000 && done < total) return;
      last = now;
      const eta = done > 0 && done < total ? ` | ETA ${Math.round(((now - started) / done) * (total - done) / 1000)} s` : '';
      process.stderr.write(`${title}: ${done}/${total} epochs (${total > 0 ? Math.floor((100 * done) / total) : 0} %)${eta} | ${label}\n`);
    },
    stop() {},
  };
}

export function progressBar(enabled: boolean, title: string): Progress {
  if (!enabled) return { plan() {}, tick() {}, stop() {} };
  if (!process.stderr.isTTY) return progressLines(title);
  const bar = new cliProgress.SingleBar(
    { format: `${title} [{bar}] {percentage}% | {value}/{total} epochs | ETA {eta_formatted} | {label}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let total = 0;
  let started = false;
  return {
    plan(units) {
      total += units;
      if (!started) {
        bar.start(total, 0, { label: '' });
        started = true;
      } else bar.setTotal(total);
    },
    tick(label, units = 1) {
      bar.increment(units, { label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export interface Context {
  level: Level;
  seeds: number[];
  stop: StopSignal;
  progress: Progress;
}

export class Stopped extends Error {
  constructor() {
    super('stopped by the user');
  }
}

export function checkStop(stop: StopSignal): void {
  if (stop.requested) throw new Stopped();
}

/** CPU seconds (user + system) of this process since `from`. */
export function cpuSeconds(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

export interface ExperimentResult<Config = unknown, Data = unknown> {
  id: string;
  title: string;
  level: Level;
  seeds: number[];
  config: Config;
  /** True when Ctrl+C cut the run short: `data` then holds the runs that finished. */
  stopped: boolean;
  cpuSeconds: number;
  wallSeconds: number;
  finishedAt: string;
  data: Data;
}

export function writeResult(dir: string, result: ExperimentResult): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.id}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 1)}\n`);
  return file;
}
