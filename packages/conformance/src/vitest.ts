import type { ApaluBackend } from '@apalu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConformanceOptions, formatFailures, listCaseNames, runConformance } from './run.js';

export interface SuiteOptions extends Omit<ConformanceOptions, 'only' | 'onCase'> {
  /** Per-case timeout in ms (default 120 s: the 16M case on an emulated GPU is slow). */
  timeout?: number;
}

/**
 * The whole conformance kit as a vitest suite, one test per case:
 *   describeConformance('wasm-simd', () => createBackend({ simd: true }));
 * Excluded cases are listed as skipped tests with their reason; excluded input classes
 * (`excludeInputs`) leave only those elements out of each case, which still runs.
 */
export function describeConformance(title: string, factory: () => Promise<ApaluBackend> | ApaluBackend, options: SuiteOptions = {}): void {
  const { timeout = 120_000, ...run } = options;
  describe(`APALU conformance: ${title}`, () => {
    let backend: ApaluBackend | undefined;
    beforeAll(async () => {
      backend = await factory();
    }, timeout);
    afterAll(async () => {
      await backend?.dispose?.();
    });
    for (const name of listCaseNames(run)) {
      const reason = run.exclude?.[name];
      if (reason !== undefined) {
        it.skip(`${name} (excluded: ${reason})`, () => {});
        continue;
      }
      it(name, async () => {
        if (backend === undefined) throw new Error(`the backend factory for ${title} did not produce a backend`);
        const report = await runConformance(backend, { ...run, only: [name] });
        const failures = formatFailures(report.checks);
        expect(failures, `${report.backend} (${report.accuracy}) fails ${name}:\n${failures}`).toBe('');
      }, timeout);
    }
  });
}
