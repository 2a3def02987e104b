// The backend's WebAssembly memory: its limit, growing it (E_TOO_LARGE / E_MEMORY before anything
// is written) and the bytes the caller claimed with `reserve` for tensors of its own.
import { ApaluEnvironmentError, ApaluInputError } from '@apalu/core';

export const PAGE = 65536;
export const MAX_PAGES = 65536;
export const align = (value: number, to: number) => Math.ceil(value / to) * to;

/**
 * One memory and its bookkeeping. `ensure` grows it for a call (the array calls' layouts and the
 * public `reserve` both go through it); `claim` is the public `reserve`: grow, then keep [0, bytes)
 * for the caller, so the array calls copy their arrays above it.
 */
export class BackendMemory {
  /** Bytes the caller claimed with `reserve` for tensors of its own: the array calls copy above them. */
  claimed = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly maximumPages: number,
  ) {}

  /** The memory limit in bytes (maximumMemoryBytes rounded down to pages). */
  get limitBytes(): number {
    return this.maximumPages * PAGE;
  }

  /** Grows the memory to hold `bytes`, or throws before anything is written (`n`: the call's x.length, for the message). */
  ensure(bytes: number, n?: number): void {
    const what = n === undefined ? 'the request' : `x.length = ${n}`;
    if (bytes > this.limitBytes) {
      throw new ApaluInputError(
        'E_TOO_LARGE',
        `reserve(${bytes}): more than this backend's memory limit of ${this.limitBytes} bytes ` +
          `(maximumMemoryBytes; a wasm32 memory holds at most 4 GiB); claim less, or create the backend with a larger maximumMemoryBytes.`,
      );
    }
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    try {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch (error) {
      throw new ApaluEnvironmentError(
        'E_MEMORY',
        `${what} needs ${bytes} bytes of WebAssembly memory, but the memory could not grow from ${have} bytes ` +
          `(${error instanceof Error ? error.message : String(error)}); free memory, lower the batch size or split the call.`,
        { cause: error },
      );
    }
  }

  /** The public `reserve(bytes)`: checks bytes, grows the memory and claims [0, bytes) (64-byte aligned) for the caller. */
  claim(bytes: number): void {
    if (!(Number.isInteger(bytes) && bytes >= 0)) throw new ApaluInputError('E_COUNT', `bytes = ${String(bytes)}: must be a non-negative integer.`);
    this.ensure(bytes);
    this.claimed = Math.max(this.claimed, align(bytes, 64));
  }
}
