import { backward, forward } from '@apalu/core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { APALU_GRAD_KERNEL, APALU_KERNEL } from '../names.js';
import { kernelLayout } from './shared.js';

/** The slice of tfjs-backend-cpu's MathBackendCPU these kernels use (public methods only). */
interface CpuBackend {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const read = (backend: CpuBackend, t: TensorInfo) => backend.readSync(t.dataId) as Float32Array;

/** f(x) with @apalu/core's float32 path (strict class) on the cpu backend's own arrays. */
const apaluCpu: KernelFunc = ({ inputs, backend }) => {
  const { x, a, b } = inputs as { x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const cpu = backend as unknown as CpuBackend;
  const { inner } = kernelLayout(x, a, b);
  const out = forward(read(cpu, x), read(cpu, a), read(cpu, b), { inner });
  return cpu.makeTensorInfo(x.shape, 'float32', out);
};

/** dx, da, db in one pass (fused) with compensated per-channel sums. */
const apaluGradCpu: KernelFunc = ({ inputs, backend }) => {
  const { dy, x, a, b } = inputs as { dy: TensorInfo; x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const cpu = backend as unknown as CpuBackend;
  const { inner } = kernelLayout(x, a, b);
  const { dx, da, db } = backward(read(cpu, x), read(cpu, dy), read(cpu, a), read(cpu, b), { inner });
  return [cpu.makeTensorInfo(x.shape, 'float32', dx), cpu.makeTensorInfo(a.shape, 'float32', da), cpu.makeTensorInfo(b.shape, 'float32', db)];
};

export const cpuKernels: KernelConfig[] = [
  { kernelName: APALU_KERNEL, backendName: 'cpu', kernelFunc: apaluCpu },
  { kernelName: APALU_GRAD_KERNEL, backendName: 'cpu', kernelFunc: apaluGradCpu },
];
