import { describe, expect, it, vi } from 'vitest';

// What the browser build (dist/index.browser.*) compiles in place of src/dawn.ts: no Node fallback.
vi.mock('../src/dawn.js', () => ({ loadNodeWebGpu: undefined }));
const { requestApaluDevice } = await import('../src/device.js');

describe('browser build without navigator.gpu', () => {
  it('fails with E_NO_WEBGPU, says what WebGPU needs, and never tries the webgpu package', async () => {
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
    await expect(requestApaluDevice()).rejects.toMatchObject({
      code: 'E_NO_WEBGPU',
      message: expect.stringMatching(/navigator\.gpu is missing\. WebGPU needs a browser that supports it and a secure context/),
    });
  });
});
