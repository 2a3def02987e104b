/** The Apalu and ApaluGrad kernels of tfjs's wasm backend: @apalu/wasm's kernels on its heap (zero-copy) or on copies. */
import { type ResolvedLayout, validateParams } from '@apalu/core';
import { type Precision, precisionCode, type RawKernels, SCRATCH_BYTES_PER_CHANNEL, simdSupported } from '@apalu/wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { APALU_GRAD_KERNEL, APALU_KERNEL } from '../names.js';
import { cpuBackward, cpuForward } from './cpu-engine.js';
import { kernelModuleSync } from './module.js';
import { asFloat32, kernelLayout, sizeOf } from './shared.js';

/**
 * The public KernelBackend contract (readSync, write) that every tfjs backend keeps: the copying
 * route needs nothing else.
 */
interface PublicBackend {
  readSync(dataId: object): unknown;
  write(values: Float32Array, shape: number[], dtype: 'float32'): object;
}

/**
 * tfjs-backend-wasm internals the zero-copy route relies on: the Emscripten module's exported
 * memory and each tensor's byte offset in it. probeWasmBackend checks them on each backend and
 * picks the copying route where they differ (the README lists the versions that get zero-copy);
 * test/op.test.ts fails when 4.22.0's move.
 */
interface WasmBackendInternals extends PublicBackend {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

export type WasmKernelMode = 'zero-copy' | 'copy';

const modes = new WeakMap<object, WasmKernelMode>();
const instances = new WeakMap<WebAssembly.Memory, RawKernels>();

/**
 * @apalu/wasm's kernel module instantiated over the backend's own memory (a shared memory —
 * tfjs's threaded build — takes the shared build).
 */
export function kernelsIn(memory: WebAssembly.Memory): RawKernels {
  let raw = instances.get(memory);
  if (raw === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    raw = new WebAssembly.Instance(kernelModuleSync(shared), { env: { memory } }).exports as unknown as RawKernels;
    instances.set(memory, raw);
  }
  return raw;
}

/** Which build of @apalu/wasm the zero-copy route runs ('simd' or 'scalar'). */
export function wasmKernelBuild(): 'simd' | 'scalar' {
  return simdSupported() ? 'simd' : 'scalar';
}

/**
 * Decides once per backend instance whether the internals are where 4.22.0 keeps them, by
 * writing a known tensor and finding its bytes at the reported offset. Anything unexpected
 * selects the copying route, which uses only the public KernelBackend methods.
 */
export function probeWasmBackend(backend: object): WasmKernelMode {
  const known = modes.get(backend);
  if (known !== undefined) return known;
  let mode: WasmKernelMode = 'copy';
  try {
    const b = backend as Partial<WasmBackendInternals>;
    const memory = b.wasm?.asm?.memory;
    if (memory instanceof WebAssembly.Memory && typeof b.dataIdMap?.get === 'function' && typeof b.makeOutput === 'function') {
      const probe = b.makeOutput([4], 'float32');
      const offset = b.dataIdMap.get(probe.dataId)?.memoryOffset;
      if (typeof offset === 'number' && offset % 4 === 0 && offset + 16 <= memory.buffer.byteLength) {
        const pattern = [1.5, -2.25, 3.125, 7];
        new Float32Array(memory.buffer, offset, 4).set(pattern);
        const back = (b as PublicBackend).readSync(probe.dataId) as Float32Array;
        if (pattern.every((v, i) => back[i] === v)) {
          kernelsIn(memory);
          mode = 'zero-copy';
        }
      }
      (backend as { disposeData?(dataId: object): void }).disposeData?.(probe.dataId);
    }
  } catch {
    mode = 'copy';
  }
  modes.set(backend, mode);
  return mode;
}

/** Forces a route for a backend instance (tests use it to exercise the copying fallback). */
export function setWasmKernelMode(backend: object, mode: WasmKernelMode | undefined): void {
  if (mode === undefined) modes.delete(backend);
  else modes.set(backend, mode);
}

function offsetOf(backend: WasmBackendInternals, t: TensorInfo): number {
  const entry = backend.dataIdMap.get(t.dataId);
  if (entry === undefined) throw new Error(`@apalu/tfjs: tensor ${String((t.dataId as { id?: number }).id)} is not in the wasm backend's data map.`);
  return entry.memoryOffset;
}

/** Checks a and b where they lie (C values each) before anything is allocated or written. */
function checkParams(backend: WasmBackendInternals, a: TensorInfo, b: TensorInfo, channels: number): void {
  const buffer = backend.wasm.asm.memory.buffer;
  validateParams(new Float32Array(buffer, offsetOf(backend, a), channels), new Float32Array(buffer, offsetOf(backend, b), channels));
}

function dispose(backend: WasmBackendInternals, t: TensorInfo): void {
  (backend as unknown as { disposeData(dataId: object): void }).disposeData(t.dataId);
}

function forwardZeroCopy(backend: WasmBackendInternals, x: TensorInfo, a: TensorInfo, b: TensorInfo, layout: ResolvedLayout, precision: 0 | 1): TensorInfo {
  checkParams(backend, a, b, layout.channels);
  const raw = kernelsIn(backend.wasm.asm.memory);
  const out = backend.makeOutput([...x.shape], 'float32');
  raw.forward(offsetOf(backend, x), offsetOf(backend, out), sizeOf(x.shape), offsetOf(backend, a), offsetOf(backend, b), layout.channels, layout.inner, precision);
  return out;
}

function backwardZeroCopy(
  backend: WasmBackendInternals,
  dy: TensorInfo,
  x: TensorInfo,
  a: TensorInfo,
  b: TensorInfo,
  layout: ResolvedLayout,
  precision: 0 | 1,
): TensorInfo[] {
  const { channels, inner } = layout;
  checkParams(backend, a, b, channels);
  const raw = kernelsIn(backend.wasm.asm.memory);
  const dx = backend.makeOutput([...x.shape], 'float32');
  const da = backend.makeOutput([...a.shape], 'float32');
  const db = backend.makeOutput([...b.shape], 'float32');
  // float64 per-channel sums: 16·C bytes, 8-byte aligned (one spare float32 covers the rounding up).
  const scratch = backend.makeOutput([(SCRATCH_BYTES_PER_CHANNEL / 4) * channels + 1], 'float32');
  const scratchPtr = (offsetOf(backend, scratch) + 7) & ~7;
  raw.backward(
    offsetOf(backend, x),
    offsetOf(backend, dy),
    offsetOf(backend, dx),
    offsetOf(backend, da),
    offsetOf(backend, db),
    sizeOf(x.shape),
    offsetOf(backend, a),
    offsetOf(backend, b),
    channels,
    inner,
    scratchPtr,
    precision,
  );
  dispose(backend, scratch);
  return [dx, da, db];
}

const read = (backend: PublicBackend, t: TensorInfo) => asFloat32(backend.readSync(t.dataId));
const write = (backend: PublicBackend, shape: readonly number[], values: Float32Array): TensorInfo => ({
  dataId: backend.write(values, [...shape], 'float32'),
  shape: [...shape],
  dtype: 'float32',
});

/** The precision attribute of an Apalu/ApaluGrad call as the kernels' code. */
const precisionOf = (attrs: unknown) => precisionCode((attrs as { precision?: Precision } | undefined)?.precision);

const apaluWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, a, b } = inputs as { x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const layout = kernelLayout(x, a, b);
  const precision = precisionOf(attrs);
  if (probeWasmBackend(backend) === 'zero-copy') return forwardZeroCopy(backend as unknown as WasmBackendInternals, x, a, b, layout, precision);
  const pub = backend as unknown as PublicBackend;
  return write(pub, x.shape, cpuForward(read(pub, x), read(pub, a), read(pub, b), layout, precision));
};

const apaluGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, a, b } = inputs as { dy: TensorInfo; x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const layout = kernelLayout(x, a, b);
  const precision = precisionOf(attrs);
  if (probeWasmBackend(backend) === 'zero-copy') return backwardZeroCopy(backend as unknown as WasmBackendInternals, dy, x, a, b, layout, precision);
  const pub = backend as unknown as PublicBackend;
  const r = cpuBackward(read(pub, x), read(pub, dy), read(pub, a), read(pub, b), layout, precision);
  return [write(pub, x.shape, r.dx), write(pub, a.shape, r.da), write(pub, b.shape, r.db)];
};

export const wasmKernels: KernelConfig[] = [
  { kernelName: APALU_KERNEL, backendName: 'wasm', kernelFunc: apaluWasm },
  { kernelName: APALU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: apaluGradWasm },
];
