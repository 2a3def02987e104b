export { createBackend, type WasmBackend, type WasmBackendOptions } from './backend.js';
export {
  instantiateKernels,
  chooseKind,
  precisionCode,
  SCRATCH_BYTES_PER_CHANNEL,
  type Precision,
  type ApaluKernels,
  type RawKernels,
  type KernelOptions,
  type BackwardPointers,
  type RangeArgs,
} from './kernels.js';
export { kernelBytes, kernelModule, simdSupported, sharedMemorySupported, type KernelKind, type KernelBytesOptions } from './bytes.js';

/** Every configuration the conformance kit should run (`apalu-conformance @apalu/wasm`). */
export const conformanceVariants = [
  { name: 'wasm-simd', options: { simd: true } },
  { name: 'wasm-scalar', options: { simd: false } },
  // parallelThreshold 0 sends even the shortest cases through the worker split.
  { name: 'wasm-simd-threads', options: { simd: true, threads: 2, parallelThreshold: 0 } },
  { name: 'wasm-scalar-threads', options: { simd: false, threads: 2, parallelThreshold: 0 } },
  // precision 'fast': float32 SIMD loops, declared (and checked as) the composed class.
  { name: 'wasm-simd-fast', options: { simd: true, precision: 'fast' } },
  { name: 'wasm-simd-threads-fast', options: { simd: true, threads: 2, parallelThreshold: 0, precision: 'fast' } },
] as const;
