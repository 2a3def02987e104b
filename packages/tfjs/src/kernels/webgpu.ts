/** The Apalu and ApaluGrad kernels of tfjs's webgpu backend as WGSL programs built on @apalu/webgpu's APALU math. */
import { WGSL_APALU_MATH } from '@apalu/webgpu';
import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { APALU_GRAD_KERNEL, APALU_KERNEL } from '../names.js';
import { kernelLayout, sizeOf } from './shared.js';

/**
 * tfjs-backend-webgpu's program contract (its `WebGPUProgram` type): the backend wraps
 * getUserCode() with the bindings (`result` and one array per variable name), the uniforms
 * and `fn main(index : i32)` plumbing, and reshapes dispatches past 65,535 workgroups.
 */
interface Program {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms?: string;
  size?: boolean;
  getUserCode(): string;
}

interface WebGpuBackend {
  runWebGPUProgram(program: Program, inputs: TensorInfo[], dtype: DataType, uniforms?: { type: 'int32'; data: number[] }[]): TensorInfo;
  disposeData(dataId: object): void;
}

const WORKGROUP = 64;
/** Elements one invocation sums per channel in the backward pass's first stage. */
const CHUNK = 256;

function program(key: string, inputs: string[], outputShape: number[], invocations: number, body: string, uniforms: string, helpers = ''): Program {
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `apalu_${key}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(invocations / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    uniforms,
    // @apalu/webgpu's math works on float32 bits, so subnormals, NaN and ±∞ pass exactly.
    getUserCode: () => `${WGSL_APALU_MATH}\n${helpers}\nfn main(index : i32) {\n${body}\n}`,
  };
}

/**
 * @apalu/webgpu's per-channel accumulator (struct ApaluAcc { s, t: vec2<f32>, f: u32 }) as
 * raw 32-bit words, so partial sums cross between programs bit for bit.
 */
const ACC_WORDS = 5;
const ACC_IO = `
fn store_acc(o: i32, acc: ApaluAcc) {
  result[o] = bitcast<i32>(acc.s.x);
  result[o + 1] = bitcast<i32>(acc.s.y);
  result[o + 2] = bitcast<i32>(acc.t.x);
  result[o + 3] = bitcast<i32>(acc.t.y);
  result[o + 4] = bitcast<i32>(acc.f);
}`;
const ACC_LOAD = `
fn load_acc(o: i32) -> ApaluAcc {
  return ApaluAcc(
    vec2<f32>(bitcast<f32>(partials[o]), bitcast<f32>(partials[o + 1])),
    vec2<f32>(bitcast<f32>(partials[o + 2]), bitcast<f32>(partials[o + 3])),
    bitcast<u32>(partials[o + 4]));
}`;

const bits = (name: string, at: string) => `bitcast<u32>(${name}[${at}])`;

/** f(x) element-wise, channel floor(i / inner) mod channels. */
const apaluWebGpu: KernelFunc = ({ inputs, backend }) => {
  const { x, a, b } = inputs as { x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const { channels, inner } = kernelLayout(x, a, b);
  const n = sizeOf(x.shape);
  const p = program(
    'forward',
    ['x', 'a', 'b'],
    [n],
    n,
    `  if (index < uniforms.n) {
    let c = (index / uniforms.inner) % uniforms.channels;
    result[index] = bitcast<f32>(apalu_forward(${bits('x', 'index')}, ${bits('a', 'c')}, ${bits('b', 'c')}));
  }`,
    'n : i32, channels : i32, inner : i32,',
  );
  const out = (backend as unknown as WebGpuBackend).runWebGPUProgram(p, [x, a, b], 'float32', [
    { type: 'int32', data: [n] },
    { type: 'int32', data: [channels] },
    { type: 'int32', data: [inner] },
  ]);
  return { ...out, shape: [...x.shape] };
};

/**
 * dx element-wise, then da and db in two deterministic stages: each invocation sums CHUNK
 * elements of one channel into double-float accumulators (written as raw bits), and one
 * invocation per channel merges that channel's partial sums in order.
 */
const apaluGradWebGpu: KernelFunc = ({ inputs, backend }) => {
  const { dy, x, a, b } = inputs as { dy: TensorInfo; x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const { channels, inner } = kernelLayout(x, a, b);
  const gpu = backend as unknown as WebGpuBackend;
  const n = sizeOf(x.shape);
  const perChannel = n / channels;
  const chunks = Math.max(1, Math.ceil(perChannel / CHUNK));
  const layout = [
    { type: 'int32' as const, data: [n] },
    { type: 'int32' as const, data: [channels] },
    { type: 'int32' as const, data: [inner] },
  ];
  const dxProgram = program(
    'backward_dx',
    ['dy', 'x', 'a', 'b'],
    [n],
    n,
    `  if (index < uniforms.n) {
    let c = (index / uniforms.inner) % uniforms.channels;
    var acc_a: ApaluAcc;
    var acc_b: ApaluAcc;
    result[index] = bitcast<f32>(apalu_backward(${bits('x', 'index')}, ${bits('dy', 'index')}, ${bits('a', 'c')}, ${bits('b', 'c')}, &acc_a, &acc_b));
  }`,
    'n : i32, channels : i32, inner : i32,',
  );
  const dx = gpu.runWebGPUProgram(dxProgram, [dy, x, a, b], 'float32', layout);

  const tasks = chunks * channels;
  const partialProgram = program(
    'backward_partial',
    ['dy', 'x', 'a', 'b'],
    [tasks * 2 * ACC_WORDS],
    tasks,
    `  if (index < uniforms.tasks) {
    let c = index % uniforms.channels;
    let g = index / uniforms.channels;
    let per = uniforms.n / uniforms.channels;
    let start = g * ${CHUNK};
    let end = min(start + ${CHUNK}, per);
    var acc_a: ApaluAcc;
    var acc_b: ApaluAcc;
    for (var e = start; e < end; e++) {
      let m = e / uniforms.inner;
      let i = (c + uniforms.channels * m) * uniforms.inner + (e - m * uniforms.inner);
      apalu_backward(${bits('x', 'i')}, ${bits('dy', 'i')}, ${bits('a', 'c')}, ${bits('b', 'c')}, &acc_a, &acc_b);
    }
    let o = (c * uniforms.chunks + g) * ${2 * ACC_WORDS};
    store_acc(o, acc_a);
    store_acc(o + ${ACC_WORDS}, acc_b);
  }`,
    'n : i32, channels : i32, inner : i32, tasks : i32, chunks : i32,',
    ACC_IO,
  );
  const partials = gpu.runWebGPUProgram(partialProgram, [dy, x, a, b], 'int32', [
    ...layout,
    { type: 'int32', data: [tasks] },
    { type: 'int32', data: [chunks] },
  ]);

  const finish = (which: 0 | typeof ACC_WORDS) =>
    gpu.runWebGPUProgram(
      program(
        `backward_final_${which}`,
        ['partials'],
        [channels],
        channels,
        `  if (index < uniforms.channels) {
    var acc: ApaluAcc;
    for (var g = 0; g < uniforms.chunks; g++) {
      apalu_acc_merge(&acc, load_acc((index * uniforms.chunks + g) * ${2 * ACC_WORDS} + ${which}));
    }
    result[index] = bitcast<f32>(apalu_acc_result(acc));
  }`,
        'channels : i32, chunks : i32,',
        ACC_LOAD,
      ),
      [partials],
      'float32',
      [
        { type: 'int32', data: [channels] },
        { type: 'int32', data: [chunks] },
      ],
    );
  const da = { ...finish(0), shape: [...a.shape] };
  const db = { ...finish(ACC_WORDS), shape: [...b.shape] };
  gpu.disposeData(partials.dataId);
  return [{ ...dx, shape: [...x.shape] }, da, db];
};

export const webgpuKernels: KernelConfig[] = [
  { kernelName: APALU_KERNEL, backendName: 'webgpu', kernelFunc: apaluWebGpu },
  { kernelName: APALU_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: apaluGradWebGpu },
];
