/** describeConformance: the kit as a vitest suite, one test per case, for a backend package's own tests. */
import type { ApaluBackend } from '@apalu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConformanceOptions, formatFailures, listCaseNames, runConformance } from './run.js';

export interface SuiteOptions extends Omit<ConformanceOptions, 'only' | 'onCase' | 'create'> {
  /**
   * Per-test timeout in ms (default 120 s: the 16M case on an emulated GPU is slow; the property
   * case gets ten times as long). The kit's own per-call limit is `callTimeout` (default 60 s):
   * a call that never settles fails its case with that case named, before vitest's timeout.
   */
  timeout?: number;
}

/**
 * The whole conformance kit as a vitest suite, one test per case:
 *   describeConformance('wasm-simd', () => createBackend({ simd: true }));
 * The factory is called again for dispose-mid-flight, which disposes a backend of its own.
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
      it(name, async (context) => {
        if (backend === undefined) throw new Error(`the backend factory for ${title} did not produce a backend`);
        const report = await runConformance(backend, { ...run, only: [name], create: factory });
        // A case that found out at run time it cannot run (dispose-mid-flight on a backend without dispose()).
        const skipped = report.excluded.find((e) => e.case === name);
        if (skipped !== undefined && report.checks.length === 0) {
          context.skip(`excluded: ${skipped.reason}`);
          return;
        }
        const failures = formatFailures(report.checks);
        expect(failures, `${report.backend} (${report.accuracy}) fails ${name}:\n${failures}`).toBe('');
      }, name === 'property' ? timeout * 10 : timeout);
    }
  });
}
