// Planning a call before any GPU work: whether it fits the device's storage limits, how a backward
// splits into partial-sum steps, and the 2-D dispatch grid.
import { ApaluInputError } from '@apalu/core';
import { ApaluGpuError } from './errors.js';
import { BACKWARD_ROWS, REDUCE_WORKGROUP, type VectorWidth } from './wgsl/kernels.js';

const MAX_GRID = 65535;

/** Workgroup counts as a 2-D grid of at most `limit` (WebGPU's default: 65,535) per dimension. */
export function grid(workgroups: number, limit = MAX_GRID): [number, number] {
  if (workgroups <= limit) return [workgroups, 1];
  const y = Math.ceil(workgroups / limit);
  if (y > limit) throw new ApaluGpuError('E_GPU_LIMIT', `${workgroups} workgroups exceed a ${limit}×${limit} dispatch grid; split the input.`);
  return [Math.ceil(workgroups / y), y];
}

export interface PartialStep {
  width: VectorWidth;
  channels: number;
  vinner: number;
  perChannel: number;
  chunks: number;
  pbase: number;
  base: number;
  bindBytes: number;
}

export interface BackwardPlan {
  steps: PartialStep[];
  /** Partial-sum slots per channel. */
  stride: number;
}

/** Bytes of the backward's partial sums: 48 per channel and chunk (12 floats: float32 pairs of both sums). */
export function partialBytes(plan: { stride: number }, channels: number): number {
  return Math.max(48, channels * plan.stride * 48);
}

/**
 * How the backward pass splits the work. Vector loads need each channel's runs to be whole
 * vec4s: true when S is a multiple of 4, or with one channel (its elements are contiguous;
 * the last length % 4 go to a one-workgroup scalar step whose partial is summed last).
 */
export function planBackward(length: number, channels: number, inner: number): BackwardPlan {
  const perWorkgroup = BACKWARD_ROWS * REDUCE_WORKGROUP;
  const steps: PartialStep[] = [];
  if (length === 0) return { steps, stride: 0 };
  if (channels === 1) {
    const vectors = Math.floor(length / 4);
    let chunks = 0;
    if (vectors > 0) {
      chunks = Math.ceil(vectors / perWorkgroup);
      steps.push({ width: 4, channels: 1, vinner: vectors, perChannel: vectors, chunks, pbase: 0, base: 0, bindBytes: vectors * 16 });
    }
    const tail = length - vectors * 4;
    if (tail > 0) steps.push({ width: 1, channels: 1, vinner: tail, perChannel: tail, chunks: 1, pbase: chunks, base: vectors * 4, bindBytes: length * 4 });
    return { steps, stride: chunks + (tail > 0 ? 1 : 0) };
  }
  const width: VectorWidth = inner % 4 === 0 ? 4 : 1;
  const perChannel = length / channels / width;
  const chunks = Math.ceil(perChannel / perWorkgroup);
  steps.push({ width, channels, vinner: inner / width, perChannel, chunks, pbase: 0, base: 0, bindBytes: length * 4 });
  return { steps, stride: chunks };
}

type StorageLimits = Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>;

/** The largest storage buffer (and binding) a device takes, in bytes. */
function storageLimit(limits: StorageLimits): { bytes: number; binding: number; buffer: number } {
  const { maxStorageBufferBindingSize: binding, maxBufferSize: buffer } = limits;
  return { bytes: Math.min(binding, buffer), binding, buffer };
}

function fits(limits: StorageLimits, length: number, channels: number, inner: number, backward: boolean): boolean {
  const { bytes } = storageLimit(limits);
  if (Math.max(4, length * 4) > bytes) return false;
  return !backward || partialBytes(planBackward(length, channels, inner), channels) <= bytes;
}

/** ApaluGpuRunner#largestLength for a device with these limits. */
export function largestLength(limits: StorageLimits, channels: number, inner: number, backward: boolean): number {
  const unit = channels * inner;
  let lo = 0;
  let hi = Math.floor(storageLimit(limits).bytes / 4 / unit);
  if (!backward) return hi * unit;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(limits, mid * unit, channels, inner, true)) lo = mid;
    else hi = mid - 1;
  }
  return lo * unit;
}

/** ApaluGpuRunner#assertFits for a device with these limits. */
export function assertFits(limits: StorageLimits, length: number, channels: number, inner: number, backward: boolean): void {
  if (fits(limits, length, channels, inner, backward)) return;
  const { bytes, binding, buffer } = storageLimit(limits);
  const pass = backward ? 'backward' : 'forward';
  const limitsText = `this device's storage buffers hold at most ${bytes} bytes (maxStorageBufferBindingSize ${binding}, maxBufferSize ${buffer})`;
  const request =
    'request the device with requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize } ' +
    '(createBackend() does for its own device)';
  const largest = largestLength(limits, channels, inner, backward);
  const partials = backward ? partialBytes(planBackward(length, channels, inner), channels) : 0;
  const layout = channels * inner > 1 ? ` with C·S = ${channels}·${inner}` : '';
  if (largest === 0) {
    throw new ApaluInputError(
      'E_TOO_LARGE',
      `x.length = ${length} is too large for a ${pass} on this GPU device: with C = ${channels} channels the partial sums alone need ${partials} bytes (48 per channel), ` +
        `but ${limitsText}; no x.length fits. Split the channels over several calls, or ${request}.`,
    );
  }
  const what = length * 4 > bytes ? `x needs ${length * 4} bytes (4 per element)` : `the partial sums need ${partials} bytes`;
  throw new ApaluInputError(
    'E_TOO_LARGE',
    `x.length = ${length} is too large for a ${pass} on this GPU device: ${what} but ${limitsText}. ` +
      `The largest ${pass} it takes${layout} is x.length = ${largest}; split the input into calls of at most ${largest} elements, or ${request}.`,
  );
}
