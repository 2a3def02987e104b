/** Browser stand-in for exhaustive.ts: runExhaustive needs Node worker threads, so here it only throws saying so. */
import { ApaluEnvironmentError } from '@apalu/core';
import type { ExhaustiveOptions, ExhaustiveReport } from './exhaustive.js';

/** Browser build of exhaustive.ts (see tsup.config.ts): the exhaustive checker runs on Node worker threads only. */
export async function runExhaustive(_options: ExhaustiveOptions): Promise<ExhaustiveReport> {
  throw new ApaluEnvironmentError('E_BACKEND', 'runExhaustive needs Node (worker threads): run `apalu-conformance <module> --exhaustive`, or call it from Node.');
}
