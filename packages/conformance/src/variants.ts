import type { ApaluBackend } from '@apalu/core';
import type { InputExclusions } from './exclusions.js';
import { resolveModule } from './resolve.js';

/** What a backend package may export as `conformanceVariants`, next to `createBackend`. */
export interface ConformanceVariant {
  /** Shown in reports; usually the backend's own name, e.g. "wasm-simd". */
  name: string;
  /** Passed to createBackend (must survive structured cloning for exhaustive runs). */
  options?: unknown;
  /** Cases this variant does not run, each with the reason. */
  exclude?: Readonly<Record<string, string>>;
  /** Input classes this variant cannot compute, each with the reason (see `INPUT_CLASSES`); the rest of every case runs. */
  excludeInputs?: InputExclusions;
}

/** The runConformance options a variant carries (its case and input exclusions). */
export function variantRunOptions(variant: ConformanceVariant): { exclude?: Readonly<Record<string, string>>; excludeInputs?: InputExclusions } {
  return {
    ...(variant.exclude ? { exclude: variant.exclude } : {}),
    ...(variant.excludeInputs ? { excludeInputs: variant.excludeInputs } : {}),
  };
}

/** A variant ready to run: where it came from and how to build it. */
export interface LoadedVariant extends ConformanceVariant {
  specifier: string;
  moduleUrl: string;
  create(): Promise<ApaluBackend>;
}

/**
 * The variants of a backend module ("@apalu/wasm" or "@apalu/wasm#wasm-scalar"). A module
 * without `conformanceVariants` is one variant built by `createBackend()`.
 */
export async function loadVariants(entry: string, from?: string): Promise<LoadedVariant[]> {
  const hash = entry.lastIndexOf('#');
  const specifier = hash > 0 ? entry.slice(0, hash) : entry;
  const wanted = hash > 0 ? entry.slice(hash + 1) : undefined;
  const moduleUrl = await resolveModule(specifier, from);
  const mod = (await import(moduleUrl)) as {
    createBackend?: (options?: unknown) => Promise<ApaluBackend>;
    conformanceVariants?: readonly ConformanceVariant[];
  };
  const create = mod.createBackend;
  if (typeof create !== 'function') {
    throw new TypeError(`${specifier} does not export createBackend(options?) → Promise<ApaluBackend>; see CONTRIBUTING.md "How to add a backend".`);
  }
  const variants: readonly ConformanceVariant[] = mod.conformanceVariants ?? [{ name: specifier }];
  const chosen = wanted === undefined ? variants : variants.filter((v) => v.name === wanted);
  if (chosen.length === 0) {
    throw new RangeError(`${specifier} has no variant "${wanted}"; it has: ${variants.map((v) => v.name).join(', ')}.`);
  }
  return chosen.map((v) => ({ ...v, specifier, moduleUrl, create: () => create(v.options) }));
}
