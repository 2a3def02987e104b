// WebGPU error scopes, written once: work done inside an out-of-memory and a validation scope
// that are pushed and popped without yielding, and what those scopes caught as an ApaluGpuError.
import { ApaluGpuError } from './errors.js';

/** What the scopes caught, in pop order: the validation scope (pushed last), then out-of-memory. */
export type ScopeErrors = readonly [validation: GPUError | null, oom: GPUError | null];

export interface Scoped<T> {
  /** What `work` returned (undefined when it threw). */
  result: T | undefined;
  /** True when `work` threw; `thrown` is what it threw. */
  failed: boolean;
  thrown: unknown;
  /** The scopes, already popped: settles once the device has checked the work. */
  errors: Promise<ScopeErrors>;
}

/**
 * Runs `work` synchronously inside an out-of-memory and a validation error scope. The scopes are
 * pushed, the work done and the scopes popped without yielding, whatever `work` throws (no scope
 * is left open): error scopes belong to the device, so other work that ran during an await
 * (another call, the caller's own) would land in this call's scopes.
 */
export function inErrorScopes<T>(device: GPUDevice, work: () => T): Scoped<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T | undefined;
  let failed = false;
  let thrown: unknown;
  try {
    result = work();
  } catch (error) {
    failed = true;
    thrown = error;
  }
  const errors = Promise.all([device.popErrorScope(), device.popErrorScope()] as const);
  return { result, failed, thrown, errors };
}

/** The advice an out-of-memory error of a call gives. */
export const FREE_OR_SPLIT = 'Free GPU buffers or split the input into smaller calls.';

/**
 * The ApaluGpuError for what the scopes caught (out of memory first), or undefined when they
 * caught nothing. Messages: "Out of GPU memory <during>: <message>.[ <advice>]" and
 * "WebGPU rejected <rejected, or else during>: <message>".
 */
export function scopeError([validation, oom]: ScopeErrors, task: { during: string; rejected?: string; advice?: string }): ApaluGpuError | undefined {
  if (oom !== null) return new ApaluGpuError('E_GPU_OOM', `Out of GPU memory ${task.during}: ${oom.message}.${task.advice === undefined ? '' : ` ${task.advice}`}`);
  if (validation !== null) return new ApaluGpuError('E_GPU_VALIDATION', `WebGPU rejected ${task.rejected ?? task.during}: ${validation.message}`);
  return undefined;
}
