// The kernels' raw exports (RawKernels), build and precision choice, and the pointer API over a caller's memory
// (instantiateKernels) with its region, overlap and layout checks.
import { ApaluEnvironmentError, ApaluInputError, validateLayout, validateParams } from '@apalu/core';
import { type KernelKind, kernelModule, simdSupported } from './bytes.js';
import { SCRATCH_BYTES_PER_CHANNEL } from './worker/protocol.js';

/**
 * The arguments of every whole-tensor backward entry point (byte addresses): dx may equal dy or x;
 * scratch is 16·channels bytes (per thread, for the backend), 8-byte aligned.
 */
export type BackwardPointers<Inner = number> = [
  xPtr: number,
  dyPtr: number,
  dxPtr: number,
  daPtr: number,
  dbPtr: number,
  n: number,
  aPtr: number,
  bPtr: number,
  channels: number,
  inner: Inner,
  scratchPtr: number,
];

/**
 * 'strict' (default): ≤ 2 ULP, the strict class. 'fast': float32 arithmetic throughout and a
 * shorter polynomial in the SIMD loops, the composed class (|err| ≤ max(5e-6, 1e-5·|ref|), the
 * tolerance of XNNPACK's own unary kernels such as tf.elu): about 1.7× backward, 1.1× forward.
 */
export type Precision = 'strict' | 'fast';

/** The kernels' last argument for a precision (0 strict, 1 fast); throws on anything else. */
export function precisionCode(precision: Precision | undefined): 0 | 1 {
  if (precision === undefined || precision === 'strict') return 0;
  if (precision === 'fast') return 1;
  throw new ApaluInputError('E_OPTION', `precision = ${JSON.stringify(precision)}: use 'strict' (≤ 2 ULP, the default) or 'fast' (float32, the composed class).`);
}

/** The part of a range kernel's arguments after the data pointers: which elements, and the layout. */
export type RangeArgs = [start: number, count: number, aPtr: number, bPtr: number, channels: number, inner: number];

/**
 * The exports of the kernel module, exactly as compiled (no checks: callers validate). The last
 * argument of each is the precision code (0 strict, 1 fast; see `precisionCode`); omitted it is 0.
 */
export interface RawKernels {
  /** out[i] = f(x[i]) for i in [0, n); out may equal x. */
  forward(xPtr: number, outPtr: number, n: number, aPtr: number, bPtr: number, channels: number, inner: number, precision?: 0 | 1): void;
  /** forward on elements [start, start + count) of the tensor at xPtr/outPtr (for splitting work). */
  forwardRange(...args: [xPtr: number, outPtr: number, ...range: RangeArgs, precision?: 0 | 1]): void;
  /** dx = dy·∂f/∂x (dx may equal dy or x), da/db = per-channel sums; uses 16·C bytes of scratch at scratchPtr. */
  backward(...args: [...BackwardPointers, precision?: 0 | 1]): void;
  /** backward on [start, start + count): ADDS the float64 sums to scratch[0..C) (da) and scratch[C..2C) (db). */
  backwardRange(...args: [xPtr: number, dyPtr: number, dxPtr: number, ...range: RangeArgs, scratchPtr: number, precision?: 0 | 1]): void;
  /** Rounds the float64 sums in scratch to float32 da[0..C), db[0..C). */
  finishSums(scratchPtr: number, daPtr: number, dbPtr: number, channels: number): void;
}

/** Bytes of float64 scratch the backward kernels need per channel (da and db sums); the worker protocol's constant. */
export { SCRATCH_BYTES_PER_CHANNEL };

export interface KernelOptions {
  /** true: SIMD build (throws where unsupported); false: scalar; 'auto' (default): SIMD when the engine has it. */
  simd?: boolean | 'auto';
}

/** The kernels instantiated over one WebAssembly.Memory, with checked, typed entry points. */
export interface ApaluKernels {
  readonly kind: KernelKind;
  readonly memory: WebAssembly.Memory;
  /** The unchecked exports, for hot loops whose arguments are already known to be valid. */
  readonly raw: RawKernels;
  /**
   * out[i] = f(x[i]), i < n, channel floor(i / inner) mod channels. Byte addresses, 4-byte
   * aligned; out may equal x. Checks every argument (ranges, alignment, overlaps; a, b in memory) before writing.
   */
  forward(xPtr: number, outPtr: number, n: number, aPtr: number, bPtr: number, channels: number, inner?: number, precision?: Precision): void;
  /**
   * dx[i] = dy[i]·∂f/∂x and da[c], db[c] summed per channel. dx may equal dy or x (exactly; see `checkOverlaps`). scratchPtr:
   * 16·channels bytes, 8-byte aligned, clobbered. Checks everything before writing.
   */
  backward(...args: [...BackwardPointers<number | undefined>, precision?: Precision]): void;
}

/** The build to use for a `simd` option on this engine. */
export function chooseKind(simd: boolean | 'auto' | undefined): KernelKind {
  if (simd !== undefined && simd !== true && simd !== false && simd !== 'auto') {
    throw new ApaluInputError('E_OPTION', `simd = ${JSON.stringify(simd)}: use true (SIMD build), false (scalar build) or 'auto' (the default).`);
  }
  if (simd === false) return 'scalar';
  const supported = simdSupported();
  if (simd === true && !supported) {
    throw new ApaluEnvironmentError('E_SIMD', 'simd: true, but this engine does not run WebAssembly SIMD; use simd: "auto" to fall back to the scalar build.');
  }
  return supported ? 'simd' : 'scalar';
}

function checkCount(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= 0x7fffffff)) {
    throw new ApaluInputError('E_COUNT', `${name} = ${String(value)}: must be an integer in [0, 2^31).`);
  }
}

export function checkRegion(memory: WebAssembly.Memory, name: string, ptr: number, bytes: number, align: number): void {
  if (!(Number.isInteger(ptr) && ptr >= 0 && ptr % align === 0)) {
    throw new ApaluInputError('E_POINTER', `${name} = ${String(ptr)}: must be a non-negative byte address that is a multiple of ${align}.`);
  }
  const size = memory.buffer.byteLength;
  if (ptr + bytes > size) {
    throw new ApaluInputError(
      'E_POINTER',
      `${name} = ${ptr} with ${bytes} bytes ends at ${ptr + bytes}, past the end of the memory (${size} bytes); grow the memory or fix the address.`,
    );
  }
}

/** One array argument of a pointer call: its byte range, and whether the kernel writes it. */
export interface PointerRegion {
  name: string;
  ptr: number;
  bytes: number;
  align: number;
  writes: boolean;
}

/**
 * The exact aliases the kernels support (in-place modes): forward's out = x, backward's
 * dx = dy and dx = x. Exactly the same address only — a partial overlap is refused.
 */
export const IN_PLACE: ReadonlyArray<readonly [written: string, read: string]> = [
  ['outPtr', 'xPtr'],
  ['dxPtr', 'dyPtr'],
  ['dxPtr', 'xPtr'],
];

const inPlace = (w: PointerRegion, r: PointerRegion) => w.ptr === r.ptr && w.bytes === r.bytes && IN_PLACE.some(([a, b]) => a === w.name && b === r.name);

/**
 * Refuses any region the kernel writes (out; dx, da, db, scratch) that overlaps another
 * argument's region, except the exact in-place aliases of `IN_PLACE`: the kernel would write
 * over an input while it still reads it (or over another output), and return wrong values or
 * corrupt the caller's data. Regions the kernel only reads (x, dy, a, b) may overlap each other.
 * Empty regions (n = 0) overlap nothing. Run after `checkRegion` on every region.
 */
export function checkOverlaps(regions: readonly PointerRegion[]): void {
  for (const w of regions) {
    if (!w.writes || w.bytes === 0) continue;
    for (const r of regions) {
      if (r === w || r.bytes === 0 || !(w.ptr < r.ptr + r.bytes && r.ptr < w.ptr + w.bytes)) continue;
      if (inPlace(w, r) || inPlace(r, w)) continue;
      const allowed = IN_PLACE.find(([a, b]) => (a === w.name && b === r.name) || (a === r.name && b === w.name));
      const end = Math.max(...regions.map((q) => q.ptr + q.bytes));
      const free = Math.ceil(end / w.align) * w.align;
      const fix = allowed
        ? `pass ${allowed[0]} = ${allowed[1]} exactly (in place) or a region of its own that overlaps no other argument (e.g. from byte ${free} upward, once the memory holds it)`
        : `give ${w.name} a region of its own that overlaps no other argument (e.g. from byte ${free} upward, once the memory holds it)`;
      throw new ApaluInputError(
        'E_POINTER',
        `${w.name} = ${w.ptr} (${w.bytes} bytes, to ${w.ptr + w.bytes}) overlaps ${r.name} = ${r.ptr} (${r.bytes} bytes, to ${r.ptr + r.bytes}): ` +
          `the kernel writes ${w.name}'s bytes, which would ${r.writes ? `clobber ${r.name}'s results` : `overwrite ${r.name} while it is still read and return wrong values`}; ` +
          `${fix}. Allowed overlaps: out = x (forward), dx = dy or dx = x (backward), at the same address.`,
      );
    }
  }
}

/** The regions of a forward call (x, out: n floats; a, b: C floats). */
export function forwardRegions(xPtr: number, outPtr: number, n: number, aPtr: number, bPtr: number, channels: number): PointerRegion[] {
  return [
    { name: 'xPtr', ptr: xPtr, bytes: 4 * n, align: 4, writes: false },
    { name: 'outPtr', ptr: outPtr, bytes: 4 * n, align: 4, writes: true },
    { name: 'aPtr', ptr: aPtr, bytes: 4 * channels, align: 4, writes: false },
    { name: 'bPtr', ptr: bPtr, bytes: 4 * channels, align: 4, writes: false },
  ];
}

/** The regions of a backward call; `scratchBytes` is 16·C (pointer API) or the backend's `scratchBytes(C)`. */
export function backwardRegions(
  ...[xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, , scratchPtr, scratchBytes]: [...BackwardPointers<unknown>, scratchBytes: number]
): PointerRegion[] {
  return [
    { name: 'xPtr', ptr: xPtr, bytes: 4 * n, align: 4, writes: false },
    { name: 'dyPtr', ptr: dyPtr, bytes: 4 * n, align: 4, writes: false },
    { name: 'dxPtr', ptr: dxPtr, bytes: 4 * n, align: 4, writes: true },
    { name: 'daPtr', ptr: daPtr, bytes: 4 * channels, align: 4, writes: true },
    { name: 'dbPtr', ptr: dbPtr, bytes: 4 * channels, align: 4, writes: true },
    { name: 'aPtr', ptr: aPtr, bytes: 4 * channels, align: 4, writes: false },
    { name: 'bPtr', ptr: bPtr, bytes: 4 * channels, align: 4, writes: false },
    { name: 'scratchPtr', ptr: scratchPtr, bytes: scratchBytes, align: 8, writes: true },
  ];
}

/**
 * Checks every pointer argument of a call before the kernel runs: counts and channels, each
 * region's alignment and that it lies inside the memory, no written region overlapping another
 * (except the in-place aliases), then a and b's values in memory and the layout. Returns S.
 */
export function checkPointerCall(memory: WebAssembly.Memory, regions: readonly PointerRegion[], n: number, aPtr: number, bPtr: number, channels: number, inner: number | undefined): number {
  checkCount('n', n);
  if (!(Number.isInteger(channels) && channels >= 1)) {
    throw new ApaluInputError('E_CHANNELS', `channels = ${String(channels)}: the channel count C must be an integer ≥ 1 (a and b hold C values each).`);
  }
  for (const r of regions) checkRegion(memory, r.name, r.ptr, r.bytes, r.align);
  checkOverlaps(regions);
  return checkLayout(memory, n, aPtr, bPtr, channels, inner);
}

export function checkLayout(memory: WebAssembly.Memory, n: number, aPtr: number, bPtr: number, channels: number, inner: number | undefined): number {
  checkCount('n', n);
  if (!(Number.isInteger(channels) && channels >= 1)) {
    throw new ApaluInputError('E_CHANNELS', `channels = ${String(channels)}: the channel count C must be an integer ≥ 1 (a and b hold C values each).`);
  }
  checkRegion(memory, 'aPtr', aPtr, 4 * channels, 4);
  checkRegion(memory, 'bPtr', bPtr, 4 * channels, 4);
  validateParams(new Float32Array(memory.buffer, aPtr, channels), new Float32Array(memory.buffer, bPtr, channels));
  return validateLayout(n, channels, inner).inner;
}

/**
 * Instantiates the kernels over `memory` (a shared memory selects the shared build). The
 * module adds nothing to the memory: every address is the caller's.
 */
export async function instantiateKernels(memory: WebAssembly.Memory, options: KernelOptions = {}): Promise<ApaluKernels> {
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new ApaluInputError('E_TYPE', 'memory must be a WebAssembly.Memory (for tfjs-backend-wasm: backend.wasm.asm.memory or wasm.HEAPU8 memory).');
  }
  const kind = chooseKind(options.simd ?? 'auto');
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const module = await kernelModule(kind, { shared });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const raw = instance.exports as unknown as RawKernels;
  return {
    kind,
    memory,
    raw,
    forward(xPtr, outPtr, n, aPtr, bPtr, channels, inner, precision) {
      const code = precisionCode(precision);
      const s = checkPointerCall(memory, forwardRegions(xPtr, outPtr, n, aPtr, bPtr, channels), n, aPtr, bPtr, channels, inner);
      raw.forward(xPtr, outPtr, n, aPtr, bPtr, channels, s, code);
    },
    backward(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, inner, scratchPtr, precision) {
      const code = precisionCode(precision);
      const regions = backwardRegions(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, inner, scratchPtr, SCRATCH_BYTES_PER_CHANNEL * channels);
      const s = checkPointerCall(memory, regions, n, aPtr, bPtr, channels, inner);
      raw.backward(xPtr, dyPtr, dxPtr, daPtr, dbPtr, n, aPtr, bPtr, channels, s, scratchPtr, code);
    },
  };
}
