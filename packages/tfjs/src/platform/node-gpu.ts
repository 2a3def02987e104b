/**
 * The Node build's ensureNavigatorGpu. Node has no navigator.gpu; tfjs-backend-webgpu needs one. When the optional `webgpu` package
 * (Dawn, 0.6.2) is installed, this installs its GPU object (and the GPUBufferUsage-style
 * globals) — kept for the whole process: Dawn crashes if it is collected under a live device.
 * Without a GPU, Dawn needs a Vulkan driver such as SwiftShader (see the README). Returns
 * whether navigator.gpu exists afterwards.
 */
export async function ensureNavigatorGpu(): Promise<boolean> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu !== undefined) return true;
  let dawn: { create(flags: string[]): unknown; globals: object };
  try {
    // Node build only (the browser build has no such import). A computed specifier, because
    // `webgpu` is an optional peer: a Node bundle without it must still build.
    const specifier = 'webgpu';
    dawn = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as typeof dawn;
  } catch {
    return false;
  }
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  // Node ≥ 21 has a navigator whose fields are getters on its prototype: a spread copy would lose
  // them (userAgent, hardwareConcurrency, …). The new object inherits from the old one instead.
  const navigator = Object.create(g.navigator ?? Object.prototype, {
    gpu: { value: dawn.create([]), configurable: true, enumerable: true, writable: true },
  }) as { gpu: unknown };
  Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
  return true;
}
