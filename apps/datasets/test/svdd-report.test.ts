import { describe, expect, it } from 'vitest';
import { svddExperiment } from '../src/experiments/svdd.js';
import type { ExperimentResult } from '../src/harness.js';

// A run stopped with Ctrl+C keeps the runs that finished; the report must still render.
type Result = Parameters<typeof svddExperiment.report>[0];

function partial(runs: { digit: number; activation: string; seed: number; auc: number }[]): Result {
  const config = { ...svddExperiment.configs.smoke, activations: ['apalu', 'leakyRelu', 'relu'], digits: [0, 1] };
  return { id: 'svdd', title: 'Deep SVDD', level: 'smoke', seeds: [1, 2], config, stopped: true, cpuSeconds: 1, wallSeconds: 1, finishedAt: '', data: { runs } } as unknown as ExperimentResult as Result;
}

describe('the Deep SVDD report', () => {
  it('renders a stopped run that finished only APALU (no baseline yet) instead of throwing', () => {
    const r = svddExperiment.report(partial([{ digit: 0, activation: 'apalu', seed: 1, auc: 0.8 }]));
    expect(r.markdown).toContain('Too few runs finished to compare (activations with runs: apalu');
  });

  it('decides "reproduced" over seeds (Welch), not over digits', () => {
    // APALU +1 pp over LeakyReLU on every digit with the same seed-to-seed spread: the digits agree
    // perfectly (paired p tiny), the seeds do not separate the two (Welch p large).
    const runs = [];
    for (const [seed, shift] of [[1, 0], [2, 0.06]] as const) {
      for (const digit of [0, 1]) {
        runs.push({ digit, activation: 'leakyRelu', seed, auc: 0.7 + shift + digit * 0.01 });
        runs.push({ digit, activation: 'apalu', seed, auc: 0.71 + shift + digit * 0.01 });
      }
    }
    const r = svddExperiment.report(partial(runs));
    expect(r.markdown).toMatch(/\*\*Paper's claim .*: not reproduced in this configuration\.\*\* Measured APALU − leakyRelu = \+1\.00 pp \(Welch p over seeds/);
  });
});
