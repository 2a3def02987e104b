import { gpuOpsInputExclusions, type InputExclusions } from '@apalu/core';
import type { ApaluBackend } from '@apalu/core';
import { conformanceVariants as onnxVariants } from '@apalu/onnx/conformance';
import { conformanceVariants as tfjsVariants } from '@apalu/tfjs/conformance';
import { conformanceVariants as wasmVariants } from '@apalu/wasm/conformance';
import { conformanceVariants as webgpuVariants } from '@apalu/webgpu/conformance';

/** What a backend needs from the page before it can be created. */
export type Requirement = 'crossOriginIsolated' | 'webgpu' | 'webgl2';

export interface BackendEntry {
  /** The name in the matrix (the backend's own `name` once created). */
  name: string;
  /** Which package provides it. */
  pkg: string;
  requires?: Requirement;
  /** Input classes this entry cannot compute, each with the reason (shown under the matrix); the rest of every case runs. */
  excludeInputs?: InputExclusions;
  /** Cases this entry does not run, each with the reason (listed under the matrix). */
  exclude?: Readonly<Record<string, string>>;
  /** A smaller property slice than the kit's default (200 runs), with the reason (shown under the matrix). */
  propertyRuns?: { runs: number; reason: string };
  create(): Promise<ApaluBackend>;
}

/**
 * A package's own conformance variant (its `./conformance` subpath: the options and input
 * exclusions the report and the CLI run), so the page runs what the package declares.
 */
function variant<V extends { readonly name: string }>(variants: readonly V[], name: string): V {
  const found = variants.find((v) => v.name === name);
  if (!found) throw new Error(`no conformance variant '${name}'; the package lists: ${variants.map((v) => v.name).join(', ')}`);
  return found;
}

const tfjs = (tfBackend: 'cpu' | 'wasm' | 'webgpu' | 'webgl', path: 'kernel' | 'composed', suffix: '' | '-fast' = ''): BackendEntry => {
  // Widened: a variant may carry input and case exclusions (none of today's carries `exclude`).
  const v: { name: string; options: (typeof tfjsVariants)[number]['options']; excludeInputs?: InputExclusions; exclude?: Readonly<Record<string, string>> } = variant(
    tfjsVariants,
    `tfjs-${tfBackend}-${path}${suffix}`,
  );
  return {
    name: v.name,
    pkg: '@apalu/tfjs',
    ...(tfBackend === 'webgpu' ? { requires: 'webgpu' as const } : tfBackend === 'webgl' ? { requires: 'webgl2' as const } : {}),
    ...(v.excludeInputs ? { excludeInputs: v.excludeInputs } : {}),
    ...(v.exclude ? { exclude: v.exclude } : {}),
    ...(tfBackend === 'webgl' && path === 'composed'
      ? {
          propertyRuns: {
            runs: 50,
            reason:
              "tfjs's own webgl ops compile their programs for every new input shape (about 70 per property run on SwiftShader, 0.5 s); the same graph of ops runs the full 200-run slice on cpu, wasm and webgpu",
          },
        }
      : {}),
    async create() {
      const [{ registerTfBackend }, { createBackend }] = await Promise.all([import('./tfjs-setup.js'), import('@apalu/tfjs')]);
      await registerTfBackend(tfBackend);
      return createBackend(v.options);
    },
  };
};

const ort = (provider: 'wasm' | 'webgpu'): BackendEntry => ({
  name: `onnxruntime-web-${provider}`,
  pkg: '@apalu/onnx',
  // The wasm entry is the package's own variant; WebGPU (browser only) is this page's addition.
  ...(provider === 'webgpu'
    ? {
        requires: 'webgpu' as const,
        excludeInputs: gpuOpsInputExclusions("onnxruntime-web's WebGPU"),
        // Found by the kit's property case (seed 242024) on SwiftShader; not yet fixed.
        exclude: { property: "onnxruntime-web's WebGPU Tanh/Exp on SwiftShader: f(−1.99e-5) with b = 45182.6 is 1.0003× the composed limit off" },
      }
    : {}),
  async create() {
    const { createBackend } = await import('@apalu/onnx');
    return createBackend(provider === 'wasm' ? variant(onnxVariants, 'onnxruntime-web-wasm').options : { executionProviders: [provider] });
  },
});

/** Every backend the page runs, in matrix order. Each package loads only when its row runs. */
export const BACKENDS: readonly BackendEntry[] = [
  {
    name: 'core-reference',
    pkg: '@apalu/core',
    async create() {
      const { createBackend } = await import('@apalu/core');
      return createBackend();
    },
  },
  {
    name: 'wasm-simd',
    pkg: '@apalu/wasm',
    async create() {
      const { createBackend } = await import('@apalu/wasm');
      return createBackend(variant(wasmVariants, 'wasm-simd').options);
    },
  },
  {
    name: 'wasm-simd-threads',
    pkg: '@apalu/wasm',
    requires: 'crossOriginIsolated',
    async create() {
      const { createBackend } = await import('@apalu/wasm');
      // parallelThreshold 0: even the short cases go through the Web Worker split.
      const backend = await createBackend({ simd: true, threads: Math.max(2, navigator.hardwareConcurrency), parallelThreshold: 0 });
      if (backend.threads < 2) throw new Error(`@apalu/wasm ran on one thread: ${backend.threadsNote ?? 'no reason given'}`);
      return backend;
    },
  },
  {
    name: 'webgpu',
    pkg: '@apalu/webgpu',
    requires: 'webgpu',
    async create() {
      const { createBackend } = await import('@apalu/webgpu');
      return createBackend(variant(webgpuVariants, 'webgpu').options);
    },
  },
  tfjs('cpu', 'kernel'),
  tfjs('cpu', 'composed'),
  tfjs('wasm', 'kernel'),
  tfjs('wasm', 'composed'),
  tfjs('webgpu', 'kernel'),
  tfjs('webgpu', 'composed'),
  tfjs('webgl', 'kernel'),
  tfjs('webgl', 'kernel', '-fast'),
  tfjs('webgl', 'composed'),
  ort('wasm'),
  ort('webgpu'),
];

/** Why a requirement is not met here, or undefined when it is. */
export function unmet(requirement: Requirement | undefined): string | undefined {
  if (requirement === 'crossOriginIsolated' && !globalThis.crossOriginIsolated) {
    return 'needs cross-origin isolation (COOP/COEP headers) for SharedArrayBuffer; serve with `pnpm --filter playground preview`';
  }
  if (requirement === 'webgpu' && !('gpu' in navigator)) return 'navigator.gpu is missing: this browser or context has no WebGPU';
  if (requirement === 'webgl2' && document.createElement('canvas').getContext('webgl2') === null) {
    return "no WebGL2 context: this browser has WebGL off or no driver for it (headless chromium needs --use-angle=swiftshader --enable-unsafe-swiftshader)";
  }
  return undefined;
}
