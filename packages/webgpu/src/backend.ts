import { type ApaluBackend, type ApaluGradients, type ApaluLayout, ApaluInputError, float32Params, validateCall } from '@apalu/core';
import { type DeviceRequest, requestApaluDevice } from './device.js';
import { ApaluGpuError } from './errors.js';
import { type ApaluGpuRunner, BufferUsage, getRunner } from './runner.js';

export interface WebGpuBackendOptions extends DeviceRequest {
  /**
   * Run on this device (e.g. the one your renderer or tfjs uses). The backend never destroys
   * a device it was given. Without it, the backend requests its own and destroys it in dispose().
   */
  device?: GPUDevice;
}

/** The backend object: the ApaluBackend interface plus the device and runner it uses. */
export interface WebGpuBackend extends ApaluBackend {
  readonly runner: ApaluGpuRunner;
  readonly device: GPUDevice;
  dispose(): void;
}

function requireFloat32(name: string, value: unknown): void {
  if (!(value instanceof Float32Array)) {
    throw new ApaluInputError(
      'E_TYPE',
      `${name} is a ${(value as object).constructor.name}: the WebGPU backend computes in float32; pass Float32Array.from(${name}).`,
    );
  }
}

/**
 * The Float32Array convenience API: validates, uploads, runs the kernels, reads back.
 * Strict accuracy class (see the SPEC.md shipped in @apalu/core) on any conforming WebGPU implementation.
 */
export async function createBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const owned = options.device === undefined;
  const device = options.device ?? (await requestApaluDevice(options));
  const runner = getRunner(device);
  let disposed = false;

  const alive = () => {
    if (disposed) throw new ApaluGpuError('E_DISPOSED', 'This @apalu/webgpu backend was disposed; create a new one with createBackend().');
    runner.assertAlive();
  };
  /**
   * Copies the call's arrays to new GPU buffers inside error scopes of their own (pushed and popped
   * without yielding), so an upload error is this call's error, not an uncaptured device error.
   */
  const upload = async (arrays: readonly (readonly [Float32Array, string])[]): Promise<GPUBuffer[]> => {
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const buffers = arrays.map(([data, label]) => {
      const buffer = device.createBuffer({ label, size: Math.max(4, data.byteLength), usage: BufferUsage.STORAGE | BufferUsage.COPY_DST });
      if (data.length > 0) device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      return buffer;
    });
    const [validation, oom] = await Promise.all([device.popErrorScope(), device.popErrorScope()]);
    if (validation === null && oom === null) return buffers;
    for (const b of buffers) b.destroy();
    runner.assertAlive();
    if (oom !== null) throw new ApaluGpuError('E_GPU_OOM', `Out of GPU memory uploading the inputs: ${oom.message}. Free GPU buffers or split the input into smaller calls.`);
    throw new ApaluGpuError('E_GPU_VALIDATION', `WebGPU rejected uploading the inputs: ${(validation as GPUError).message}`);
  };
  const params = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    const { a: a32, b: b32 } = float32Params(a, b);
    return [a32, b32] as const;
  };

  return {
    name: 'webgpu',
    accuracy: 'strict',
    runner,
    device,
    async forward(x, a, b, layout?: ApaluLayout) {
      const { inner } = validateCall(x, a, b, layout?.inner);
      requireFloat32('x', x);
      const [a32, b32] = params(a, b);
      alive();
      if (x.length === 0) return new Float32Array(0);
      runner.assertFits(x.length, a32.length, inner, false);
      const inputs = (await upload([[x, 'apalu-x'], [a32, 'apalu-a'], [b32, 'apalu-b']])) as [GPUBuffer, GPUBuffer, GPUBuffer];
      let y: GPUBuffer | undefined;
      try {
        y = await runner.forward({ x: inputs[0], a: inputs[1], b: inputs[2], length: x.length, channels: a32.length, inner });
        return await runner.read(y, x.length);
      } finally {
        for (const buffer of inputs) buffer.destroy();
        y?.destroy();
      }
    },
    async backward(x, dy, a, b, layout?: ApaluLayout): Promise<ApaluGradients> {
      const { inner } = validateCall(x, a, b, layout?.inner, dy);
      requireFloat32('x', x);
      requireFloat32('dy', dy);
      const [a32, b32] = params(a, b);
      alive();
      const channels = a32.length;
      if (x.length === 0) return { dx: new Float32Array(0), da: new Float32Array(channels), db: new Float32Array(channels) };
      runner.assertFits(x.length, channels, inner, true);
      const inputs = (await upload([[x, 'apalu-x'], [dy, 'apalu-dy'], [a32, 'apalu-a'], [b32, 'apalu-b']])) as [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
      let result: { dx: GPUBuffer; da: GPUBuffer; db: GPUBuffer } | undefined;
      try {
        result = await runner.backward({ x: inputs[0], dy: inputs[1], a: inputs[2], b: inputs[3], length: x.length, channels, inner });
        const [dx, da, db] = await Promise.all([runner.read(result.dx, x.length), runner.read(result.da, channels), runner.read(result.db, channels)]);
        return { dx, da, db };
      } finally {
        for (const buffer of inputs) buffer.destroy();
        if (result) for (const buffer of Object.values(result)) buffer.destroy();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (owned) device.destroy();
    },
  };
}
