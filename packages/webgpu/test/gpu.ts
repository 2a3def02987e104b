import { createBackend } from '../src/index.js';

/**
 * Whether a WebGPU adapter is reachable from this test process. In CI (process.env.CI) a
 * missing adapter is an error, never a skip; locally the reason is printed and tests skip.
 */
export async function probeGpu(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const backend = await createBackend();
    await backend.dispose?.();
    return { ok: true };
  } catch (error) {
    const reason = (error as Error).message;
    if (process.env.CI) throw new Error(`CI needs a WebGPU adapter (SwiftShader is set up by test/global-setup.ts): ${reason}`);
    console.warn(`[@apalu/webgpu] skipping the WebGPU tests: ${reason}`);
    return { ok: false, reason };
  }
}
