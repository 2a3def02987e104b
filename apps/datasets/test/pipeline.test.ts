import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apaluParams } from '../src/activations.js';
import type { ExperimentResult } from '../src/harness.js';
import { mlp } from '../src/models.js';
import { EXPERIMENTS, runExperiments } from '../src/run.js';
import { initTf, tf } from '../src/tf.js';

const out = mkdtempSync(join(tmpdir(), 'apalu-datasets-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the --smoke configuration (pipeline only: no accuracy assertions)', () => {
  it('runs every experiment, writes each result, the report and every plot', async () => {
    const lines: string[] = [];
    const r = await runExperiments({ ids: EXPERIMENTS.map((e) => e.id), level: 'smoke', out, progress: false, log: (l) => lines.push(l) });
    expect(r.stopped).toBe(false);
    expect(r.results.map((x) => x.id)).toEqual(EXPERIMENTS.map((e) => e.id));
    const report = readFileSync(r.report, 'utf8');
    const plots: string[] = [];
    for (const e of EXPERIMENTS) {
      const result = JSON.parse(readFileSync(join(out, `${e.id}.json`), 'utf8')) as ExperimentResult<unknown, { runs: unknown[] }>;
      expect(result.data.runs.length).toBeGreaterThan(0);
      expect(report).toContain(`## ${e.title}`);
      plots.push(...e.report(result as never).plots.map((p) => `${p.file}.svg`));
    }
    // Every plot the experiments declare is linked from the report and written as an SVG.
    expect(plots.length).toBeGreaterThan(0);
    expect([...report.matchAll(/\]\(([\w-]+\.svg)\)/g)].map((m) => m[1])).toEqual(plots);
    for (const svg of plots) {
      expect(existsSync(join(out, svg))).toBe(true);
      expect(readFileSync(join(out, svg), 'utf8')).toMatch(/^<svg/);
    }
    // One AUC per (digit, activation) of the smoke grid, each from scores that are not all tied
    // (a constant score, e.g. an encoder whose output collapsed, gives exactly 0.5).
    const svdd = JSON.parse(readFileSync(join(out, 'svdd.json'), 'utf8')) as ExperimentResult<
      { digits: number[]; activations: string[] },
      { runs: { digit: number; activation: string; auc: number }[] }
    >;
    const grid = svdd.config.digits.flatMap((digit) => svdd.config.activations.map((activation) => `${digit} ${activation}`));
    expect(grid.length).toBeGreaterThan(0);
    expect(svdd.data.runs.map((run) => `${run.digit} ${run.activation}`)).toEqual(grid);
    for (const run of svdd.data.runs) {
      expect(run.auc).toBeGreaterThan(0);
      expect(run.auc).toBeLessThan(1);
      expect(run.auc).not.toBe(0.5);
    }
    expect(report).toMatch(/Paper's claim .*: (reproduced|not reproduced)/);
    expect(tf.memory().numTensors).toBeLessThan(50); // models, optimizers and data are freed
  });

  it('a stop request ends the experiment early and keeps it marked as stopped', async () => {
    const r = await runExperiments({ ids: ['mnist'], level: 'smoke', out: join(out, 'stopped'), progress: false, stop: { requested: true }, log: () => {} });
    expect(r.stopped).toBe(true);
    expect(r.results[0]!.stopped).toBe(true);
    expect(readFileSync(r.report, 'utf8')).toContain('stopped early');
  });

  it('APALU trains on wasm through @apalu/tfjs: a and b move and stay > 0', async () => {
    await initTf('wasm');
    const m = mlp(4, [8, 8], 2, { activation: 'apalu', seed: 3, outputActivation: 'softmax' });
    m.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
    const before = apaluParams(m);
    expect(before).toHaveLength(2);
    expect(before[0]!.a).not.toBe(before[1]!.a); // layers draw different a from their seeds
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.cast(tf.greater(tf.sum(x, 1), 0), 'int32'), 2).toFloat();
    for (let i = 0; i < 20; i++) await m.trainOnBatch(x, y);
    const after = apaluParams(m);
    after.forEach((p, i) => {
      expect(p.a).not.toBe(before[i]!.a);
      expect(Math.min(p.a, p.b)).toBeGreaterThan(0);
    });
    tf.dispose([x, y]);
    m.dispose();
  });
});
