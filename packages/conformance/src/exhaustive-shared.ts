/** Messages between runExhaustive and its worker threads. */
export interface WorkerSetup {
  moduleUrl: string;
  exportName: string;
  options: unknown;
  a: number;
  b: number;
  chunkBits: number;
  sampleBits: number;
}

export interface Worst {
  x: number;
  got: number;
  want: number;
}

export interface MetricTally {
  maxError: number;
  /** Inputs whose error is over the class limit. */
  failures: number;
  worst?: Worst;
}

export interface ChunkResult {
  chunk: number;
  forward: MetricTally;
  derivative: MetricTally;
}

export type FromWorker = { type: 'ready'; name: string; accuracy: 'strict' | 'composed' } | { type: 'chunk'; result: ChunkResult } | { type: 'error'; message: string };

export type ToWorker = { type: 'chunk'; chunk: number } | { type: 'stop' };

/** The float32 bit pattern of sample `index` out of 2^sampleBits spread over all 2^32. */
export function sampleBitsAt(index: number, sampleBits: number): number {
  if (sampleBits >= 32) return index >>> 0;
  const shift = 32 - sampleBits;
  // Random low bits so a sample is not only round numbers.
  let h = Math.imul(index ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  return ((index << shift) | (h & ((1 << shift) - 1))) >>> 0;
}

export function mergeTally(into: MetricTally, from: MetricTally): void {
  if (into.worst === undefined || from.maxError > into.maxError) {
    into.maxError = Math.max(into.maxError, from.maxError);
    into.worst = from.worst ?? into.worst;
  }
  into.failures += from.failures;
}
