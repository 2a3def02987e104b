import type { Family } from '../types.js';

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** "emulated (SwiftShader)" for a software adapter, else the adapter's own description. */
function adapterLabel(info: AdapterInfo | undefined): { emulated: boolean; label: string } {
  const words = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ');
  const emulated = info?.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(words);
  if (emulated) return { emulated, label: `emulated (${/swiftshader/i.test(words) ? 'SwiftShader' : words || 'fallback adapter'}): correctness only, not a speed figure` };
  return { emulated, label: words || 'GPU' };
}

/**
 * @apalu/webgpu's Float32Array backend (upload, kernels, read back per call). In Node it needs
 * the `webgpu` package and a Vulkan driver: the CLI points Dawn at @apalu/webgpu's SwiftShader
 * when one is set up, and the row is then labelled emulated.
 */
export async function loadWebgpu(): Promise<Family> {
  const { createBackend } = await import('@apalu/webgpu');
  let backend: Awaited<ReturnType<typeof createBackend>>;
  try {
    backend = await createBackend();
  } catch (error) {
    return { entries: [], unavailable: [{ id: 'webgpu', source: '@apalu/webgpu', reason: error instanceof Error ? error.message : String(error) }] };
  }
  const { label, emulated } = adapterLabel((backend.device as unknown as { adapterInfo?: AdapterInfo }).adapterInfo);
  return {
    entries: [
      {
        id: emulated ? 'webgpu (emulated)' : 'webgpu',
        role: 'apalu',
        source: '@apalu/webgpu',
        group: 'WebGPU',
        accuracy: backend.accuracy,
        note: `${label}; Float32Array in/out`,
        directions: ['forward', 'backward'],
        // SwiftShader's backward takes ≈ 10 s per 1M elements here: larger sizes only cost minutes.
        ...(emulated ? { maxSize: 256 * 1024 } : {}),
        peers: ['js-loop (Math.expm1)'],
        prepare: async (input, direction) => ({
          run: () => (direction === 'forward' ? backend.forward(input.x, input.a, input.b) : backend.backward(input.x, input.dy, input.a, input.b)),
        }),
      },
    ],
    unavailable: [],
    close: () => backend.dispose?.(),
  };
}
