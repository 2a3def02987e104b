// Recording the kernels' GPU work: pipelines compiled once per device, uniforms, bind groups and
// the dispatches of a forward and a backward pass. No checks here: the runner has made them.
import { BufferUsage } from './buffers.js';
import { type BackwardPlan, grid, partialBytes } from './plan.js';
import { FORWARD_WORKGROUP, backwardFinalShader, backwardPartialShader, forwardShader } from './wgsl/kernels.js';

export type Kernel = 'forward4' | 'forward1' | 'partial4' | 'partial1' | 'final';
export const FORWARD_KERNELS = ['forward4', 'forward1'] as const;
export const BACKWARD_KERNELS = ['partial4', 'partial1', 'final'] as const;

function shaderFor(kernel: Kernel): string {
  switch (kernel) {
    case 'forward4':
      return forwardShader(4);
    case 'forward1':
      return forwardShader(1);
    case 'partial4':
      return backwardPartialShader(4);
    case 'partial1':
      return backwardPartialShader(1);
    case 'final':
      return backwardFinalShader();
  }
}

const pipelineCache = new WeakMap<GPUDevice, Map<Kernel, Promise<GPUComputePipeline>>>();

/** The kernel's pipeline on this device, compiled on first use and shared by every runner of the device. */
export function pipeline(device: GPUDevice, kernel: Kernel): Promise<GPUComputePipeline> {
  let pipelines = pipelineCache.get(device);
  if (pipelines === undefined) {
    pipelines = new Map();
    pipelineCache.set(device, pipelines);
  }
  let p = pipelines.get(kernel);
  if (p === undefined) {
    const module = device.createShaderModule({ label: `apalu-${kernel}`, code: shaderFor(kernel) });
    p = device.createComputePipelineAsync({ label: `apalu-${kernel}`, layout: 'auto', compute: { module, entryPoint: 'main' } });
    const cache = pipelines;
    p.catch(() => cache.delete(kernel)); // a failed compile is retried next time
    pipelines.set(kernel, p);
  }
  return p;
}

/** Records passes on one device; `gridLimit` is the workgroups per grid dimension before a dispatch goes 2-D. */
export interface Recorder {
  device: GPUDevice;
  gridLimit: number;
}

function uniform(device: GPUDevice, words: number[]): GPUBuffer {
  const buffer = device.createBuffer({ label: 'apalu-params', size: words.length * 4, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, new Uint32Array(words));
  return buffer;
}

function bind(device: GPUDevice, pipeline: GPUComputePipeline, buffers: Array<GPUBuffer | { buffer: GPUBuffer; size: number }>): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((b, binding) => ({ binding, resource: 'buffer' in b ? b : { buffer: b } })),
  });
}

function dispatch(r: Recorder, pass: GPUComputePassEncoder, pipeline: GPUComputePipeline, group: GPUBindGroup, workgroups: number): void {
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  const [gx, gy] = grid(workgroups, r.gridLimit);
  pass.dispatchWorkgroups(gx, gy);
}

export interface ForwardBuffers {
  x: GPUBuffer;
  a: GPUBuffer;
  b: GPUBuffer;
  y: GPUBuffer;
  length: number;
  channels: number;
  inner: number;
}

/** Records and submits y = f(x): whole vec4s first, then the length % 4 tail in one scalar workgroup. */
export function recordForward(r: Recorder, [p4, p1]: readonly GPUComputePipeline[], { x, a, b, y, length, channels, inner }: ForwardBuffers): void {
  const device = r.device;
  const temps: GPUBuffer[] = [];
  const encoder = device.createCommandEncoder({ label: 'apalu-forward' });
  const pass = encoder.beginComputePass();
  const vectors = Math.floor(length / 4);
  if (vectors > 0) {
    const params = uniform(device, [vectors, inner, channels, 0]);
    temps.push(params);
    const size = vectors * 16;
    dispatch(r, pass, p4 as GPUComputePipeline, bind(device, p4 as GPUComputePipeline, [{ buffer: x, size }, a, b, { buffer: y, size }, params]), Math.ceil(vectors / FORWARD_WORKGROUP));
  }
  const tail = length - vectors * 4;
  if (tail > 0) {
    const params = uniform(device, [tail, inner, channels, vectors * 4]);
    temps.push(params);
    const size = length * 4;
    dispatch(r, pass, p1 as GPUComputePipeline, bind(device, p1 as GPUComputePipeline, [{ buffer: x, size }, a, b, { buffer: y, size }, params]), 1);
  }
  pass.end();
  device.queue.submit([encoder.finish()]);
  for (const t of temps) t.destroy();
}

export interface BackwardBuffers {
  x: GPUBuffer;
  dy: GPUBuffer;
  a: GPUBuffer;
  b: GPUBuffer;
  dx: GPUBuffer;
  da: GPUBuffer;
  db: GPUBuffer;
  channels: number;
}

/** Records and submits dx and the per-channel partial sums of every step of `plan`, then the final pass that adds them into da, db. */
export function recordBackward(r: Recorder, pipelines: readonly GPUComputePipeline[], plan: BackwardPlan, { x, dy, a, b, dx, da, db, channels }: BackwardBuffers): void {
  const [p4, p1, pf] = pipelines as [GPUComputePipeline, GPUComputePipeline, GPUComputePipeline];
  const device = r.device;
  const temps: GPUBuffer[] = [];
  const partials = device.createBuffer({ label: 'apalu-partials', size: partialBytes(plan, channels), usage: BufferUsage.STORAGE });
  temps.push(partials);
  const encoder = device.createCommandEncoder({ label: 'apalu-backward' });
  const pass = encoder.beginComputePass();
  for (const step of plan.steps) {
    const pipeline = step.width === 4 ? p4 : p1;
    const params = uniform(device, [step.channels, step.vinner, step.perChannel, step.chunks, plan.stride, step.pbase, step.base, 0]);
    temps.push(params);
    const size = step.bindBytes;
    const group = bind(device, pipeline, [{ buffer: x, size }, { buffer: dy, size }, a, b, { buffer: dx, size }, partials, params]);
    dispatch(r, pass, pipeline, group, step.channels * step.chunks);
  }
  const finalParams = uniform(device, [channels, plan.stride, 0, 0]);
  temps.push(finalParams);
  dispatch(r, pass, pf, bind(device, pf, [partials, da, db, finalParams]), channels);
  pass.end();
  device.queue.submit([encoder.finish()]);
  for (const t of temps) t.destroy();
}
