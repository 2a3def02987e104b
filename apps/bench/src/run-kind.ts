import { MODES } from './modes.js';
import { sizeLabel as label } from './size-label.js';
import type { BenchResult } from './types.js';

function defaultSizes(result: BenchResult): boolean {
  const want = MODES[result.mode]?.sizes ?? [];
  return result.sizes.length === want.length && result.sizes.every((n, i) => n === want[i]);
}

function bothDirections(result: BenchResult): boolean {
  return result.directions === undefined || (result.directions.includes('forward') && result.directions.includes('backward'));
}

/**
 * Why a run is not the whole of its mode: interrupted, filtered, at other sizes, one direction.
 * Empty for a complete run of every row at the mode's sizes.
 */
export function partialReasons(result: BenchResult): string[] {
  const reasons: string[] = [];
  if (result.interrupted) reasons.push('interrupted: partial results');
  if (result.filter?.length) reasons.push(`filtered to ${result.filter.join(', ')}`);
  if (!defaultSizes(result)) reasons.push(`custom sizes ${result.sizes.map(label).join(', ')}`);
  if (!bothDirections(result)) reasons.push(`${(result.directions ?? []).join(' and ')} only`);
  return reasons;
}

/** A complete, unfiltered full run at the default sizes: the only kind that may be committed as results/bench-full.* or quoted in package READMEs. */
export function isCompleteFullRun(result: BenchResult): boolean {
  return result.mode === 'full' && partialReasons(result).length === 0;
}

/** "full run", or e.g. "quick run, filtered to core, interrupted: partial results". */
export function runDescription(result: BenchResult): string {
  return [`${result.mode} run`, ...partialReasons(result)].join(', ');
}

function safe(word: string): string {
  return word.replace(/[^A-Za-z0-9.+_-]+/g, '_');
}

/**
 * The file name (without extension) a run is written under: bench-<mode> for a complete run of
 * every row at the mode's sizes, otherwise with what makes it partial, e.g.
 * bench-full-filter-tfjs+onnx-partial or bench-full-sizes-64K+1M. Only a complete, unfiltered,
 * default-size full run is named bench-full.
 */
export function resultBaseName(result: BenchResult): string {
  const parts = [`bench-${result.mode}`];
  if (result.filter?.length) parts.push(`filter-${result.filter.map(safe).join('+')}`);
  if (!defaultSizes(result)) parts.push(`sizes-${result.sizes.map(label).join('+')}`);
  if (!bothDirections(result)) parts.push((result.directions ?? []).join('+'));
  if (result.interrupted) parts.push('partial');
  return parts.join('-');
}
