/** Finds the variants to test in a backend module (its ./conformance subpath, its conformanceVariants, or createBackend()). */
import { type ApaluBackend, ApaluEnvironmentError, ApaluInputError } from '@apalu/core';
import type { InputExclusions } from './exclusions.js';
import { moduleFileExists, resolveModule } from './resolve.js';

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
  /**
   * 'browser': the variant needs a browser API (WebGL) and cannot be created in Node; the CLI
   * lists it as not run there (naming it with `#variant` is an error), and browser runners
   * (e.g. apps/playground) run it.
   */
  platform?: 'browser';
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

type BackendModule = {
  createBackend?: (options?: unknown) => Promise<ApaluBackend>;
  conformanceVariants?: readonly ConformanceVariant[];
};

/** Error codes that mean "this package has no such subpath" (Node and import-meta-resolve). */
const NOT_FOUND = new Set(['ERR_PACKAGE_PATH_NOT_EXPORTED', 'ERR_MODULE_NOT_FOUND']);

/** Whether `specifier` is a bare package specifier (`pkg`, `@scope/pkg`, possibly with a subpath). */
function isBare(specifier: string): boolean {
  return !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z+.-]*:|[\\/])/.test(specifier) && !/^[a-zA-Z]:[\\/]/.test(specifier);
}

/**
 * The URL of `<specifier>/conformance` when that subpath exists, else undefined. Only bare
 * package specifiers have one; a path or URL never does.
 */
async function conformanceSubpath(specifier: string, from: string | undefined): Promise<string | undefined> {
  if (!isBare(specifier)) return undefined;
  let url: string;
  try {
    url = await resolveModule(`${specifier}/conformance`, from);
  } catch (error) {
    if (NOT_FOUND.has((error as { code?: string } | null)?.code ?? '')) return undefined;
    throw error;
  }
  if (await moduleFileExists(url)) return url;
  // A package without an `exports` map resolves any subpath to a path that may not exist: it
  // has no ./conformance. A target named in `exports` that is missing is a broken build.
  if (url.endsWith('/conformance')) return undefined;
  throw new ApaluEnvironmentError('E_BACKEND', `${specifier}/conformance resolves to ${url}, which does not exist: build ${specifier} first.`);
}

/**
 * The variants of a backend module ("@apalu/wasm" or "@apalu/wasm#wasm-scalar"), looked up in
 * this order: `conformanceVariants` of the package's `./conformance` subpath
 * (`@apalu/wasm/conformance`, where @apalu packages keep them so the main entry carries no test
 * configuration), then `conformanceVariants` of the main module (third-party backends may keep
 * them there), then one variant built by `createBackend()` with no options.
 */
export async function loadVariants(entry: string, from?: string): Promise<LoadedVariant[]> {
  const hash = entry.lastIndexOf('#');
  const specifier = hash > 0 ? entry.slice(0, hash) : entry;
  const wanted = hash > 0 ? entry.slice(hash + 1) : undefined;
  const moduleUrl = await resolveModule(specifier, from);
  const mod = (await import(/* @vite-ignore */ moduleUrl)) as BackendModule;
  const create = mod.createBackend;
  if (typeof create !== 'function') {
    throw new ApaluInputError('E_TYPE', `${specifier} does not export createBackend(options?) → Promise<ApaluBackend>; see @apalu/conformance's README.md, "What a backend must export".`);
  }
  let variants: readonly ConformanceVariant[] | undefined;
  const subpathUrl = await conformanceSubpath(specifier, from);
  if (subpathUrl !== undefined) {
    const sub = (await import(/* @vite-ignore */ subpathUrl)) as BackendModule;
    if (!Array.isArray(sub.conformanceVariants)) {
      throw new ApaluInputError(
        'E_TYPE',
        `${specifier}/conformance does not export conformanceVariants (an array of { name, options? }); export it there, or remove the ./conformance subpath to use the main module's.`,
      );
    }
    variants = sub.conformanceVariants;
  }
  variants ??= mod.conformanceVariants ?? [{ name: specifier }];
  const chosen = wanted === undefined ? variants : variants.filter((v) => v.name === wanted);
  if (chosen.length === 0) {
    throw new ApaluInputError('E_OPTION', `${specifier} has no variant "${wanted}"; it has: ${variants.map((v) => v.name).join(', ')}.`);
  }
  return chosen.map((v) => ({ ...v, specifier, moduleUrl, create: () => create(v.options) }));
}
