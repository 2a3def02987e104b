import type { TopLevelSpec } from 'vega-lite';
import type { Context, ExperimentResult, Level } from './harness.js';

export interface Plot {
  /** File name without extension (written as .svg next to the report). */
  file: string;
  spec: TopLevelSpec;
}

export interface Section {
  markdown: string;
  plots: Plot[];
}

/**
 * One experiment: a config per level, a run that appends finished runs to `data.runs`
 * (so a stopped experiment still has everything that finished), and a report section.
 */
export interface Experiment<Config = any, Run = any> {
  id: string;
  title: string;
  /** The question it answers, one sentence (shown in the report). */
  question: string;
  configs: Record<Level, Config>;
  seeds: Record<Level, number>;
  run(ctx: Context, config: Config, data: { runs: Run[] }): Promise<void>;
  report(result: ExperimentResult<Config, { runs: Run[] }>): Section;
}
