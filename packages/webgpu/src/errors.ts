/**
 * Thrown when the GPU side fails: no adapter, a lost device, out of memory, a limit the
 * input exceeds. `code` is stable; the message says what happened and what to do.
 * An ApaluEnvironmentError (kind 'environment'). Bad arguments, calls too large for the device
 * (E_TOO_LARGE) and calls after dispose() (E_DISPOSED) reject with @apalu/core's ApaluInputError
 * instead, before any GPU work.
 */
import { ApaluEnvironmentError } from '@apalu/core';

export class ApaluGpuError extends ApaluEnvironmentError {
  declare readonly code: 'E_NO_WEBGPU' | 'E_NO_ADAPTER' | 'E_DEVICE_LOST' | 'E_GPU_OOM' | 'E_GPU_VALIDATION' | 'E_GPU_LIMIT';
  constructor(code: ApaluGpuError['code'], message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ApaluGpuError';
  }
}
