import { backward, forward, type ResolvedLayout } from '@apalu/core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { APALU_GRAD_KERNEL, APALU_KERNEL } from '../names.js';
import { kernelLayout, sizeOf } from './shared.js';

/**
 * The public KernelBackend contract (readSync, write) that every tfjs backend keeps: the copying
 * route needs nothing else.
 */
interface PublicBackend {
  readSync(dataId: object): unknown;
  write(values: Float32Array, shape: number[], dtype: 'float32'): object;
}

/**
 * tfjs-backend-wasm 4.22.0 internals the zero-copy route relies on (TOOLCHAIN.md): the
 * Emscripten module's exported memory and each tensor's byte offset in it. Pinned exactly;
 * test/wasm-internals.test.ts fails when they move.
 */
interface WasmBackendInternals extends PublicBackend {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

export type WasmKernelMode = 'zero-copy' | 'copy';

const modes = new WeakMap<object, WasmKernelMode>();

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
        if (pattern.every((v, i) => back[i] === v)) mode = 'zero-copy';
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

/** A float32 view of a tensor in the backend's heap; made after every allocation (growth detaches the old buffer). */
function heapView(backend: WasmBackendInternals, t: TensorInfo): Float32Array {
  const entry = backend.dataIdMap.get(t.dataId);
  if (entry === undefined) throw new Error(`@apalu/tfjs: tensor ${String((t.dataId as { id?: number }).id)} is not in the wasm backend's data map.`);
  return new Float32Array(backend.wasm.asm.memory.buffer, entry.memoryOffset, sizeOf(t.shape));
}

/** Frees freshly made outputs when the computation throws (bad a or b), so nothing leaks. */
function guarded(backend: WasmBackendInternals, outs: TensorInfo[], compute: () => void): void {
  try {
    compute();
  } catch (error) {
    for (const t of outs) (backend as unknown as { disposeData(dataId: object): void }).disposeData(t.dataId);
    throw error;
  }
}

function forwardZeroCopy(backend: WasmBackendInternals, x: TensorInfo, a: TensorInfo, b: TensorInfo, layout: ResolvedLayout): TensorInfo {
  const out = backend.makeOutput([...x.shape], 'float32');
  guarded(backend, [out], () =>
    forward(heapView(backend, x), heapView(backend, a), heapView(backend, b), { inner: layout.inner, out: heapView(backend, out) }),
  );
  return out;
}

function backwardZeroCopy(backend: WasmBackendInternals, dy: TensorInfo, x: TensorInfo, a: TensorInfo, b: TensorInfo, layout: ResolvedLayout): TensorInfo[] {
  const outs = [backend.makeOutput([...x.shape], 'float32'), backend.makeOutput([...a.shape], 'float32'), backend.makeOutput([...b.shape], 'float32')];
  const [dx, da, db] = outs as [TensorInfo, TensorInfo, TensorInfo];
  guarded(backend, outs, () => {
    const r = backward(heapView(backend, x), heapView(backend, dy), heapView(backend, a), heapView(backend, b), { inner: layout.inner });
    heapView(backend, dx).set(r.dx);
    heapView(backend, da).set(r.da);
    heapView(backend, db).set(r.db);
  });
  return outs;
}

const read = (backend: PublicBackend, t: TensorInfo) => backend.readSync(t.dataId) as Float32Array;
const write = (backend: PublicBackend, shape: readonly number[], values: Float32Array): TensorInfo => ({
  dataId: backend.write(values, [...shape], 'float32'),
  shape: [...shape],
  dtype: 'float32',
});

const apaluWasm: KernelFunc = ({ inputs, backend }) => {
  const { x, a, b } = inputs as { x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const layout = kernelLayout(x, a, b);
  if (probeWasmBackend(backend) === 'zero-copy') return forwardZeroCopy(backend as unknown as WasmBackendInternals, x, a, b, layout);
  const pub = backend as unknown as PublicBackend;
  return write(pub, x.shape, forward(read(pub, x), read(pub, a), read(pub, b), { inner: layout.inner }));
};

const apaluGradWasm: KernelFunc = ({ inputs, backend }) => {
  const { dy, x, a, b } = inputs as { dy: TensorInfo; x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const layout = kernelLayout(x, a, b);
  if (probeWasmBackend(backend) === 'zero-copy') return backwardZeroCopy(backend as unknown as WasmBackendInternals, dy, x, a, b, layout);
  const pub = backend as unknown as PublicBackend;
  const r = backward(read(pub, x), read(pub, dy), read(pub, a), read(pub, b), { inner: layout.inner });
  return [write(pub, x.shape, r.dx), write(pub, a.shape, r.da), write(pub, b.shape, r.db)];
};

export const wasmKernels: KernelConfig[] = [
  { kernelName: APALU_KERNEL, backendName: 'wasm', kernelFunc: apaluWasm },
  { kernelName: APALU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: apaluGradWasm },
];
