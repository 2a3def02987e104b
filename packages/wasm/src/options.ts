// The options of createBackend (WasmBackendOptions) and their checking (E_OPTION), resolved to
// what the backend uses: the build, the precision code, threads and why fewer, the memory limit.
import { ApaluInputError } from '@apalu/core';
import { type KernelKind, sharedMemorySupported } from './bytes.js';
import { type Precision, chooseKind, precisionCode } from './kernels.js';
import { MAX_PAGES, PAGE } from './memory.js';
import type { Platform } from './platform/types.js';
import { BLOCK_ELEMENTS } from './stream.js';

export interface WasmBackendOptions {
  /** true: SIMD build (error where unsupported); false: scalar build; 'auto' (default): SIMD when available. */
  simd?: boolean | 'auto';
  /**
   * Threads that share the work of one large call, the calling thread included (default 1).
   * 'auto': every core. Needs shared memory (always in Node; cross-origin isolation in
   * browsers, otherwise the backend runs on one thread and says so in `threads`).
   */
  threads?: number | 'auto';
  /** Calls with fewer elements stay on the calling thread (default 65536 in Node, 131072 in browsers). */
  parallelThreshold?: number;
  /** Upper bound for the backend's WebAssembly memory in bytes (default and maximum 4 GiB). */
  maximumMemoryBytes?: number;
  /**
   * 'strict' (default): ≤ 2 ULP, the strict class. 'fast': float32 throughout in the SIMD
   * loops, the composed class (XNNPACK's tolerance, like tf.elu), ≈ 1.7× backward, 1.1× forward.
   */
  precision?: Precision;
  /**
   * Elements per block of a streamed call (default 32768, a multiple of 64): `forward` and
   * `backward` copy x (and dy) through the memory block by block, so the memory they use stays
   * about `blockElements`·(4 or 12 bytes)·(1, or 4 per thread) whatever x.length is.
   */
  blockElements?: number;
}

/** The options as the backend uses them. */
export interface ResolvedOptions {
  kind: KernelKind;
  /** The kernels' precision argument: 0 strict, 1 fast. */
  code: 0 | 1;
  precision: Precision;
  /** Threads actually used (1 when shared memory or workers are unavailable). */
  threads: number;
  threadsNote?: string;
  /** undefined: the platform's default (decided once the pool exists). */
  parallelThreshold?: number;
  maximumPages: number;
  blockElements: number;
}

function optionError(message: string): ApaluInputError {
  return new ApaluInputError('E_OPTION', message);
}

/** Checks `options` (E_OPTION names the bad value) and decides the build, precision and threads on `platform`. */
export function resolveOptions(platform: Platform, options: WasmBackendOptions): ResolvedOptions {
  const kind = chooseKind(options.simd ?? 'auto');
  const code = precisionCode(options.precision);
  const precision: Precision = code === 1 ? 'fast' : 'strict';
  const requested = options.threads === 'auto' ? platform.availableThreads() : (options.threads ?? 1);
  if (!(Number.isInteger(requested) && requested >= 1)) {
    throw optionError(`threads = ${String(options.threads)}: use a positive integer or 'auto' (1 keeps every call on the calling thread).`);
  }
  if (options.parallelThreshold !== undefined && !(Number.isInteger(options.parallelThreshold) && options.parallelThreshold >= 0)) {
    throw optionError(`parallelThreshold = ${String(options.parallelThreshold)}: use a non-negative integer number of elements.`);
  }
  const maximumBytes = options.maximumMemoryBytes ?? MAX_PAGES * PAGE;
  if (!(Number.isInteger(maximumBytes) && maximumBytes >= PAGE && maximumBytes <= MAX_PAGES * PAGE)) {
    throw optionError(`maximumMemoryBytes = ${String(options.maximumMemoryBytes)}: use an integer from 65536 (one page) to 4 GiB.`);
  }
  const blockElements = options.blockElements ?? BLOCK_ELEMENTS;
  if (!(Number.isInteger(blockElements) && blockElements >= 64 && blockElements % 64 === 0 && blockElements <= 1 << 24)) {
    throw optionError(`blockElements = ${String(options.blockElements)}: use a multiple of 64 from 64 to 16777216 (default ${BLOCK_ELEMENTS}).`);
  }

  let threads = requested;
  let threadsNote: string | undefined;
  if (threads > 1 && !sharedMemorySupported()) {
    threadsNote = 'shared WebAssembly memory is unavailable here (a browser page needs cross-origin isolation: COOP/COEP headers); running on one thread';
    threads = 1;
  }
  const noWorkers = threads > 1 ? platform.workersUnavailable() : undefined;
  if (noWorkers !== undefined) {
    threadsNote = `${noWorkers}; running on one thread`;
    threads = 1;
  }
  return {
    kind,
    code,
    precision,
    threads,
    ...(threadsNote === undefined ? {} : { threadsNote }),
    ...(options.parallelThreshold === undefined ? {} : { parallelThreshold: options.parallelThreshold }),
    maximumPages: Math.floor(maximumBytes / PAGE),
    blockElements,
  };
}
