// GPU buffer usage flags and the checks on the counts and GPUBuffers callers hand to the runner.
import { ApaluInputError } from '@apalu/core';

// The WebGPU flag values (spec constants), so Node needs no GPUBufferUsage globals.
export const BufferUsage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const MAP_MODE_READ = 0x1;

/** Usage of every buffer the runner creates for callers: bindable, copyable both ways. */
export const RESULT_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

export function checkCount(name: string, value: number, min: number): void {
  if (!(Number.isSafeInteger(value) && value >= min)) {
    throw new ApaluInputError('E_LAYOUT', `${name} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}${typeof value === 'number' ? '' : ` (a ${typeof value})`}: must be an integer ≥ ${min}.`);
  }
}

/** Throws ApaluInputError unless `buffer` is a GPUBuffer of at least `bytes` bytes with every flag of `usage`. */
export function checkBuffer(name: string, buffer: GPUBuffer, bytes: number, usage: number): void {
  if (buffer === null || typeof buffer !== 'object' || typeof buffer.size !== 'number') {
    throw new ApaluInputError('E_TYPE', `${name} must be a GPUBuffer created on this runner's device.`);
  }
  if (buffer.size < bytes) {
    throw new ApaluInputError('E_LENGTH', `${name}.size = ${buffer.size} bytes but ${bytes} are needed (4 bytes per float32).`);
  }
  if ((buffer.usage & usage) !== usage) {
    const names = [usage & BufferUsage.STORAGE ? 'STORAGE' : '', usage & BufferUsage.COPY_SRC ? 'COPY_SRC' : ''].filter(Boolean).join(' | ');
    throw new ApaluInputError('E_USAGE', `${name} lacks usage flags 0x${usage.toString(16)} (has 0x${buffer.usage.toString(16)}): create it with GPUBufferUsage.${names}.`);
  }
}
