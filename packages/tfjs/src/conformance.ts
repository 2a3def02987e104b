/** The @apalu/tfjs/conformance subpath: the variants (tfjs backend, path, precision, cpu engine) the conformance kit runs. */
import { gpuOpsInputExclusions, type InputExclusions } from '@apalu/core';
import type { TfjsBackendOptions } from './backend-options.js';

/**
 * Every variant the conformance report lists (`@apalu/tfjs/conformance`, read by the kit's
 * `loadVariants`); webgpu needs an adapter, webgl a browser with WebGL2 (see the README).
 */
export const conformanceVariants = [
  { name: 'tfjs-cpu-kernel', options: { tfBackend: 'cpu', path: 'kernel' } },
  { name: 'tfjs-cpu-kernel-fast', options: { tfBackend: 'cpu', path: 'kernel', precision: 'fast' } },
  { name: 'tfjs-cpu-kernel-js', options: { tfBackend: 'cpu', path: 'kernel', cpuEngine: 'js' } },
  { name: 'tfjs-cpu-composed', options: { tfBackend: 'cpu', path: 'composed' } },
  { name: 'tfjs-wasm-kernel', options: { tfBackend: 'wasm', path: 'kernel' } },
  { name: 'tfjs-wasm-kernel-fast', options: { tfBackend: 'wasm', path: 'kernel', precision: 'fast' } },
  { name: 'tfjs-wasm-composed', options: { tfBackend: 'wasm', path: 'composed' } },
  { name: 'tfjs-webgpu-kernel', options: { tfBackend: 'webgpu', path: 'kernel' } },
  { name: 'tfjs-webgpu-composed', options: { tfBackend: 'webgpu', path: 'composed' }, excludeInputs: gpuOpsInputExclusions('tfjs-webgpu', { expm1Cancels: true, subnormalProducts: true }) },
  // Browser only (WebGL2). The kernel's class comes from a probe at createBackend: strict where
  // highp float is IEEE float32, composed elsewhere (see the README's WebGL section).
  { name: 'tfjs-webgl-kernel', options: { tfBackend: 'webgl', path: 'kernel' }, platform: 'browser' },
  { name: 'tfjs-webgl-kernel-fast', options: { tfBackend: 'webgl', path: 'kernel', precision: 'fast' }, excludeInputs: gpuOpsInputExclusions('tfjs-webgl (precision fast)'), platform: 'browser' },
  { name: 'tfjs-webgl-composed', options: { tfBackend: 'webgl', path: 'composed' }, excludeInputs: gpuOpsInputExclusions('tfjs-webgl', { expm1Cancels: true, subnormalProducts: true }), platform: 'browser' },
] as const satisfies readonly { name: string; options: TfjsBackendOptions; excludeInputs?: InputExclusions; exclude?: Readonly<Record<string, string>>; platform?: 'browser' }[];
