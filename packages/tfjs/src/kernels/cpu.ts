/** The Apalu and ApaluGrad kernels of tfjs's cpu backend, computed by the cpu kernel engine on its arrays. */
import { type Precision, precisionCode } from '@apalu/wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { APALU_GRAD_KERNEL, APALU_KERNEL } from '../names.js';
import { cpuBackward, cpuForward } from './cpu-engine.js';
import { asFloat32, kernelLayout } from './shared.js';

/** The slice of tfjs-backend-cpu's MathBackendCPU these kernels use (public methods only). */
interface CpuBackend {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const read = (backend: CpuBackend, t: TensorInfo) => asFloat32(backend.readSync(t.dataId));
const precisionOf = (attrs: unknown) => precisionCode((attrs as { precision?: Precision } | undefined)?.precision);

/** f(x) on the cpu backend's arrays, computed by the cpu kernel engine (cpu-engine.ts). */
const apaluCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, a, b } = inputs as { x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const cpu = backend as unknown as CpuBackend;
  const layout = kernelLayout(x, a, b);
  const out = cpuForward(read(cpu, x), read(cpu, a), read(cpu, b), layout, precisionOf(attrs));
  return cpu.makeTensorInfo(x.shape, 'float32', out);
};

/** dx, da, db in one pass (fused) with float64 (wasm) or compensated (js) per-channel sums. */
const apaluGradCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, a, b } = inputs as { dy: TensorInfo; x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const cpu = backend as unknown as CpuBackend;
  const layout = kernelLayout(x, a, b);
  const { dx, da, db } = cpuBackward(read(cpu, x), read(cpu, dy), read(cpu, a), read(cpu, b), layout, precisionOf(attrs));
  return [cpu.makeTensorInfo(x.shape, 'float32', dx), cpu.makeTensorInfo(a.shape, 'float32', da), cpu.makeTensorInfo(b.shape, 'float32', db)];
};

export const cpuKernels: KernelConfig[] = [
  { kernelName: APALU_KERNEL, backendName: 'cpu', kernelFunc: apaluCpu },
  { kernelName: APALU_GRAD_KERNEL, backendName: 'cpu', kernelFunc: apaluGradCpu },
];
