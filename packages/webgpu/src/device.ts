/** Requests the GPUDevice this package uses: navigator.gpu in browsers, Dawn (the webgpu npm package) in Node, with the adapter's storage limits. */
import { loadNodeWebGpu } from './dawn.js';
import { ApaluGpuError } from './errors.js';

export interface DeviceRequest {
  /** Passed to requestAdapter (e.g. 'high-performance'). */
  powerPreference?: GPUPowerPreference;
}

/** Asks for the adapter's own storage limits, so inputs past the 128 MiB default fit. */
async function deviceFrom(adapter: GPUAdapter): Promise<GPUDevice> {
  return adapter.requestDevice({
    label: 'apalu-webgpu',
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
}

const INSTANCE = Symbol('apalu.webgpu.instance');

const NODE_HINT =
  'In Node, install the optional peer dependency `webgpu` (0.6.2). Without a GPU, Dawn needs a CPU Vulkan driver such as SwiftShader: ' +
  'on Debian, `apt-get download chromium-common && dpkg-deb -x chromium-common_*.deb x`, copy libvk_swiftshader.so, ' +
  'vk_swiftshader_icd.json and libvulkan.so.1 from x/usr/lib/chromium into a folder D, and start Node with ' +
  'VK_ICD_FILENAMES=D/vk_swiftshader_icd.json LD_LIBRARY_PATH=D (both must be set before Node starts).';

/**
 * A GPUDevice this package owns: navigator.gpu in browsers (and Deno), the `webgpu` package
 * (Dawn) in Node. A fallback (software) adapter such as SwiftShader is accepted.
 */
export async function requestApaluDevice(request: DeviceRequest = {}): Promise<GPUDevice> {
  const options: GPURequestAdapterOptions = request.powerPreference ? { powerPreference: request.powerPreference } : {};
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) {
    const adapter = await nav.gpu.requestAdapter(options);
    if (!adapter) throw new ApaluGpuError('E_NO_ADAPTER', 'navigator.gpu.requestAdapter() returned null: WebGPU is disabled or no GPU is available in this browser.');
    return deviceFrom(adapter);
  }
  if (loadNodeWebGpu === undefined) {
    throw new ApaluGpuError(
      'E_NO_WEBGPU',
      'No WebGPU here: navigator.gpu is missing. WebGPU needs a browser that supports it and a secure context (https:// or http://localhost); ' +
        'in Node, load @apalu/webgpu through its Node entry (the "node" export condition) with the `webgpu` package installed.',
    );
  }
  let mod: Awaited<ReturnType<typeof loadNodeWebGpu>>;
  try {
    mod = await loadNodeWebGpu();
  } catch (error) {
    throw new ApaluGpuError('E_NO_WEBGPU', `No WebGPU here: navigator.gpu is missing and the \`webgpu\` package could not be loaded. ${NODE_HINT}`, { cause: error });
  }
  // The GPU object is not kept in module state (Node would not exit), but it must outlive the
  // device: Dawn's instance being garbage-collected under a live device crashes the process.
  // So the device holds it, and both go when the device is dropped.
  const gpu = mod.create([]);
  const adapter = await gpu.requestAdapter(options);
  if (!adapter) {
    throw new ApaluGpuError('E_NO_ADAPTER', `The webgpu package found no adapter (no Vulkan driver was loaded). ${NODE_HINT}`);
  }
  const device = await deviceFrom(adapter);
  Object.defineProperty(device, INSTANCE, { value: gpu });
  return device;
}
