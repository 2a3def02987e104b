// The `./conformance` subpath: the backend variants the conformance kit runs for @apalu/wasm.
import type { WasmBackendOptions } from './backend.js';

/**
 * Every configuration the conformance kit should run (`apalu-conformance @apalu/wasm`), each
 * built by `createBackend(variant.options)` from the main entry. A subpath of its own
 * (`@apalu/wasm/conformance`), so the main entry carries no test configuration.
 */
export const conformanceVariants = [
  { name: 'wasm-simd', options: { simd: true } },
  { name: 'wasm-scalar', options: { simd: false } },
  // parallelThreshold 0 sends even the shortest cases through the worker split.
  { name: 'wasm-simd-threads', options: { simd: true, threads: 2, parallelThreshold: 0 } },
  { name: 'wasm-scalar-threads', options: { simd: false, threads: 2, parallelThreshold: 0 } },
  // precision 'fast': float32 SIMD loops, declared (and checked as) the composed class.
  { name: 'wasm-simd-fast', options: { simd: true, precision: 'fast' } },
  { name: 'wasm-simd-threads-fast', options: { simd: true, threads: 2, parallelThreshold: 0, precision: 'fast' } },
] as const satisfies ReadonlyArray<{ name: string; options: WasmBackendOptions }>;
