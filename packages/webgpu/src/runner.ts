import { ApaluInputError, validateLayout } from '@apalu/core';
import { ApaluGpuError } from './errors.js';
import {
  BACKWARD_ROWS,
  FORWARD_WORKGROUP,
  REDUCE_WORKGROUP,
  type VectorWidth,
  backwardFinalShader,
  backwardPartialShader,
  forwardShader,
} from './wgsl/kernels.js';

// The WebGPU flag values (spec constants), so Node needs no GPUBufferUsage globals.
export const BufferUsage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const MAP_MODE_READ = 0x1;
const MAX_GRID = 65535;

/** Usage of every buffer the runner creates for callers: bindable, copyable both ways. */
export const RESULT_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

export interface GpuForwardArgs {
  /** float32 input, at least 4·length bytes, with STORAGE usage. */
  x: GPUBuffer;
  /** Per-channel a and b: `channels` float32 each (finite, > 0: not checked on the GPU side). */
  a: GPUBuffer;
  b: GPUBuffer;
  /** Number of elements of x to use. */
  length: number;
  /** C, the number of channels (the length of a and b). */
  channels: number;
  /** S, the inner size (default 1). */
  inner?: number;
  /** Where to write f(x) (4·length bytes, STORAGE); created with RESULT_USAGE when omitted. */
  y?: GPUBuffer;
}

export interface GpuBackwardArgs extends Omit<GpuForwardArgs, 'y'> {
  /** The upstream gradient, like x. */
  dy: GPUBuffer;
  /** Optional destinations (created with RESULT_USAGE when omitted): dx like x, da/db `channels` float32. */
  dx?: GPUBuffer;
  da?: GPUBuffer;
  db?: GPUBuffer;
}

export interface GpuBackwardResult {
  dx: GPUBuffer;
  da: GPUBuffer;
  db: GPUBuffer;
}

type Kernel = 'forward4' | 'forward1' | 'partial4' | 'partial1' | 'final';

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

/** Workgroup counts as a 2-D grid of at most `limit` (WebGPU's default: 65,535) per dimension. */
export function grid(workgroups: number, limit = MAX_GRID): [number, number] {
  if (workgroups <= limit) return [workgroups, 1];
  const y = Math.ceil(workgroups / limit);
  if (y > limit) throw new ApaluGpuError('E_GPU_LIMIT', `${workgroups} workgroups exceed a ${limit}×${limit} dispatch grid; split the input.`);
  return [Math.ceil(workgroups / y), y];
}

export interface RunnerOptions {
  /** Workgroups per grid dimension before a dispatch goes 2-D (default: the device limit). Tests lower it. */
  gridLimit?: number;
}

const runners = new WeakMap<GPUDevice, ApaluGpuRunner>();
const pipelineCache = new WeakMap<GPUDevice, Map<Kernel, Promise<GPUComputePipeline>>>();

/** The runner of a device: pipelines are compiled once per device and shared. */
export function getRunner(device: GPUDevice): ApaluGpuRunner {
  let runner = runners.get(device);
  if (runner === undefined) {
    runner = new ApaluGpuRunner(device);
    runners.set(device, runner);
  }
  return runner;
}

function checkCount(name: string, value: number, min: number): void {
  if (!(Number.isSafeInteger(value) && value >= min)) {
    throw new ApaluInputError('E_LAYOUT', `${name} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}${typeof value === 'number' ? '' : ` (a ${typeof value})`}: must be an integer ≥ ${min}.`);
  }
}

/**
 * APALU kernels over one GPUDevice, GPUBuffer in and GPUBuffer out. Each call records and
 * submits one command buffer; later work on the same queue sees its results, so callers can
 * chain GPU work without reading back. Temporary buffers are destroyed after submission;
 * buffers the runner creates for results belong to the caller (call `destroy()` on them).
 */
export class ApaluGpuRunner {
  readonly device: GPUDevice;
  private readonly pipelines: Map<Kernel, Promise<GPUComputePipeline>>;
  private lostInfo: GPUDeviceLostInfo | undefined;
  private readonly gridLimit: number;

  constructor(device: GPUDevice, options: RunnerOptions = {}) {
    this.device = device;
    this.gridLimit = options.gridLimit ?? device.limits.maxComputeWorkgroupsPerDimension;
    let pipelines = pipelineCache.get(device);
    if (pipelines === undefined) {
      pipelines = new Map();
      pipelineCache.set(device, pipelines);
    }
    this.pipelines = pipelines;
    void device.lost.then((info) => {
      this.lostInfo = info;
    });
  }

  /** Throws ApaluGpuError('E_DEVICE_LOST') once the device is gone. */
  assertAlive(): void {
    if (this.lostInfo !== undefined) {
      throw new ApaluGpuError(
        'E_DEVICE_LOST',
        `The GPU device was lost (reason: ${String(this.lostInfo.reason)}; ${this.lostInfo.message || 'no message'}); ` +
          'its buffers are gone. Create a new backend (createBackend()) or device and upload the data again.',
      );
    }
  }

  get isLost(): boolean {
    return this.lostInfo !== undefined;
  }

  private pipeline(kernel: Kernel): Promise<GPUComputePipeline> {
    let p = this.pipelines.get(kernel);
    if (p === undefined) {
      const module = this.device.createShaderModule({ label: `apalu-${kernel}`, code: shaderFor(kernel) });
      p = this.device.createComputePipelineAsync({ label: `apalu-${kernel}`, layout: 'auto', compute: { module, entryPoint: 'main' } });
      p.catch(() => this.pipelines.delete(kernel)); // a failed compile is retried next time
      this.pipelines.set(kernel, p);
    }
    return p;
  }

  /** Compiles every pipeline now instead of on first use. */
  async warmUp(): Promise<void> {
    await Promise.all((['forward4', 'forward1', 'partial4', 'partial1', 'final'] as const).map((k) => this.pipeline(k)));
  }

  private checkBuffer(name: string, buffer: GPUBuffer, bytes: number, usage: number): void {
    if (buffer === null || typeof buffer !== 'object' || typeof buffer.size !== 'number') {
      throw new ApaluInputError('E_TYPE', `${name} must be a GPUBuffer created on this runner's device.`);
    }
    if (buffer.size < bytes) {
      throw new ApaluInputError('E_LENGTH', `${name}.size = ${buffer.size} bytes but ${bytes} are needed (4 bytes per float32).`);
    }
    if ((buffer.usage & usage) !== usage) {
      const names = [usage & BufferUsage.STORAGE ? 'STORAGE' : '', usage & BufferUsage.COPY_SRC ? 'COPY_SRC' : ''].filter(Boolean).join(' | ');
      throw new ApaluInputError('E_USAGE', `${name} lacks usage flags 0x${usage.toString(16)} (has 0x${buffer.usage.toString(16)}): create it with GPUBufferUsage.${names}.`);
    }
  }

  /** The largest storage buffer (and binding) this device takes, in bytes. */
  private storageLimit(): { bytes: number; binding: number; buffer: number } {
    const { maxStorageBufferBindingSize: binding, maxBufferSize: buffer } = this.device.limits;
    return { bytes: Math.min(binding, buffer), binding, buffer };
  }

  private fits(length: number, channels: number, inner: number, backward: boolean): boolean {
    const { bytes } = this.storageLimit();
    if (Math.max(4, length * 4) > bytes) return false;
    return !backward || partialBytes(planBackward(length, channels, inner), channels) <= bytes;
  }

  /**
   * The largest length (a multiple of C·S) of a forward or backward call this device can run: every
   * tensor is one storage buffer of 4 bytes per element, and a backward also needs its per-channel
   * partial sums (48 bytes per channel and chunk). 0 when none fits (a backward with very many channels).
   */
  largestLength(channels: number, inner = 1, backward = false): number {
    const unit = channels * inner;
    let lo = 0;
    let hi = Math.floor(this.storageLimit().bytes / 4 / unit);
    if (!backward) return hi * unit;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.fits(mid * unit, channels, inner, true)) lo = mid;
      else hi = mid - 1;
    }
    return lo * unit;
  }

  /**
   * Throws ApaluInputError('E_TOO_LARGE') (before any GPU work) when a call of this size cannot run on
   * the device (call contract point 5): its tensors above maxBufferSize / maxStorageBufferBindingSize,
   * or, for a backward, its partial sums. The message names the length and the largest length that fits.
   */
  assertFits(length: number, channels: number, inner: number, backward: boolean): void {
    if (this.fits(length, channels, inner, backward)) return;
    const { bytes, binding, buffer } = this.storageLimit();
    const pass = backward ? 'backward' : 'forward';
    const limits = `this device's storage buffers hold at most ${bytes} bytes (maxStorageBufferBindingSize ${binding}, maxBufferSize ${buffer})`;
    const request =
      'request the device with requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize } ' +
      '(createBackend() does for its own device)';
    const largest = this.largestLength(channels, inner, backward);
    const partials = backward ? partialBytes(planBackward(length, channels, inner), channels) : 0;
    const layout = channels * inner > 1 ? ` with C·S = ${channels}·${inner}` : '';
    if (largest === 0) {
      throw new ApaluInputError(
        'E_TOO_LARGE',
        `x.length = ${length} is too large for a ${pass} on this GPU device: with C = ${channels} channels the partial sums alone need ${partials} bytes (48 per channel), ` +
          `but ${limits}; no x.length fits. Split the channels over several calls, or ${request}.`,
      );
    }
    const what = length * 4 > bytes ? `x needs ${length * 4} bytes (4 per element)` : `the partial sums need ${partials} bytes`;
    throw new ApaluInputError(
      'E_TOO_LARGE',
      `x.length = ${length} is too large for a ${pass} on this GPU device: ${what} but ${limits}. ` +
        `The largest ${pass} it takes${layout} is x.length = ${largest}; split the input into calls of at most ${largest} elements, or ${request}.`,
    );
  }

  private validate(args: GpuForwardArgs): { length: number; channels: number; inner: number } {
    checkCount('length', args.length, 0);
    checkCount('channels', args.channels, 1);
    const { channels, inner } = validateLayout(args.length, args.channels, args.inner);
    this.checkBuffer('x', args.x, args.length * 4, BufferUsage.STORAGE);
    this.checkBuffer('a', args.a, channels * 4, BufferUsage.STORAGE);
    this.checkBuffer('b', args.b, channels * 4, BufferUsage.STORAGE);
    return { length: args.length, channels, inner };
  }

  /**
   * Compiles (or takes from the cache) the kernels' pipelines, then runs `record` inside
   * validation and out-of-memory error scopes and turns errors into ApaluGpuError. The scopes are
   * pushed, the work recorded and submitted, and the scopes popped without yielding in between:
   * error scopes belong to the device, so other work that ran during an await (another call, the
   * caller's own) would land in this call's scopes.
   */
  private async scoped<T>(what: string, owned: GPUBuffer[], kernels: readonly Kernel[], record: (pipelines: GPUComputePipeline[]) => T): Promise<T> {
    this.assertAlive();
    const pipelines = await Promise.all(kernels.map((k) => this.pipeline(k)));
    this.assertAlive();
    const device = this.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let result: T | undefined;
    let thrown: unknown;
    try {
      result = record(pipelines);
    } catch (error) {
      thrown = error;
    }
    const scopes = [device.popErrorScope(), device.popErrorScope()] as const;
    const [validation, oom] = await Promise.all(scopes);
    if (thrown === undefined && validation === null && oom === null) return result as T;
    for (const b of owned) b.destroy();
    if (this.lostInfo !== undefined) this.assertAlive();
    if (oom !== null) {
      throw new ApaluGpuError('E_GPU_OOM', `Out of GPU memory during ${what}: ${oom.message}. Free GPU buffers or split the input into smaller calls.`);
    }
    if (validation !== null) {
      throw new ApaluGpuError('E_GPU_VALIDATION', `WebGPU rejected ${what}: ${validation.message}`);
    }
    throw thrown;
  }

  private uniform(words: number[]): GPUBuffer {
    const buffer = this.device.createBuffer({ label: 'apalu-params', size: words.length * 4, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
    this.device.queue.writeBuffer(buffer, 0, new Uint32Array(words));
    return buffer;
  }

  /** A result buffer the caller owns. */
  createResultBuffer(elements: number, label: string): GPUBuffer {
    return this.device.createBuffer({ label, size: Math.max(4, elements * 4), usage: RESULT_USAGE });
  }

  private bind(pipeline: GPUComputePipeline, buffers: Array<GPUBuffer | { buffer: GPUBuffer; size: number }>): GPUBindGroup {
    return this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((b, binding) => ({ binding, resource: 'buffer' in b ? b : { buffer: b } })),
    });
  }

  private dispatch(pass: GPUComputePassEncoder, pipeline: GPUComputePipeline, group: GPUBindGroup, workgroups: number): void {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    const [gx, gy] = grid(workgroups, this.gridLimit);
    pass.dispatchWorkgroups(gx, gy);
  }

  /** y = f(x) on the GPU. Resolves once the work is submitted (not finished). */
  async forward(args: GpuForwardArgs): Promise<GPUBuffer> {
    const { length, channels, inner } = this.validate(args);
    this.assertFits(length, channels, inner, false);
    if (args.y !== undefined) this.checkBuffer('y', args.y, length * 4, BufferUsage.STORAGE);
    const owned: GPUBuffer[] = [];
    return this.scoped('forward', owned, ['forward4', 'forward1'], ([p4, p1]) => {
      const y = args.y ?? this.createResultBuffer(length, 'apalu-y');
      if (args.y === undefined) owned.push(y);
      const temps: GPUBuffer[] = [];
      const encoder = this.device.createCommandEncoder({ label: 'apalu-forward' });
      const pass = encoder.beginComputePass();
      const vectors = Math.floor(length / 4);
      if (vectors > 0) {
        const params = this.uniform([vectors, inner, channels, 0]);
        temps.push(params);
        const size = vectors * 16;
        this.dispatch(pass, p4 as GPUComputePipeline, this.bind(p4 as GPUComputePipeline, [{ buffer: args.x, size }, args.a, args.b, { buffer: y, size }, params]), Math.ceil(vectors / FORWARD_WORKGROUP));
      }
      const tail = length - vectors * 4;
      if (tail > 0) {
        const params = this.uniform([tail, inner, channels, vectors * 4]);
        temps.push(params);
        const size = length * 4;
        this.dispatch(pass, p1 as GPUComputePipeline, this.bind(p1 as GPUComputePipeline, [{ buffer: args.x, size }, args.a, args.b, { buffer: y, size }, params]), 1);
      }
      pass.end();
      this.device.queue.submit([encoder.finish()]);
      for (const t of temps) t.destroy();
      return y;
    });
  }

  /** dx = dy·∂f/∂x and per-channel da, db on the GPU. Resolves once submitted. */
  async backward(args: GpuBackwardArgs): Promise<GpuBackwardResult> {
    const { length, channels, inner } = this.validate(args);
    this.checkBuffer('dy', args.dy, length * 4, BufferUsage.STORAGE);
    if (args.dx !== undefined) this.checkBuffer('dx', args.dx, length * 4, BufferUsage.STORAGE);
    if (args.da !== undefined) this.checkBuffer('da', args.da, channels * 4, BufferUsage.STORAGE);
    if (args.db !== undefined) this.checkBuffer('db', args.db, channels * 4, BufferUsage.STORAGE);
    this.assertFits(length, channels, inner, true);
    const plan = planBackward(length, channels, inner);
    const owned: GPUBuffer[] = [];
    return this.scoped('backward', owned, ['partial4', 'partial1', 'final'], (pipelines) => {
      const [p4, p1, pf] = pipelines as [GPUComputePipeline, GPUComputePipeline, GPUComputePipeline];
      const out = (given: GPUBuffer | undefined, elements: number, label: string) => {
        if (given !== undefined) return given;
        const b = this.createResultBuffer(elements, label);
        owned.push(b);
        return b;
      };
      const dx = out(args.dx, length, 'apalu-dx');
      const da = out(args.da, channels, 'apalu-da');
      const db = out(args.db, channels, 'apalu-db');
      const temps: GPUBuffer[] = [];
      const partials = this.device.createBuffer({ label: 'apalu-partials', size: partialBytes(plan, channels), usage: BufferUsage.STORAGE });
      temps.push(partials);
      const encoder = this.device.createCommandEncoder({ label: 'apalu-backward' });
      const pass = encoder.beginComputePass();
      for (const step of plan.steps) {
        const pipeline = step.width === 4 ? p4 : p1;
        const params = this.uniform([step.channels, step.vinner, step.perChannel, step.chunks, plan.stride, step.pbase, step.base, 0]);
        temps.push(params);
        const size = step.bindBytes;
        const group = this.bind(pipeline, [{ buffer: args.x, size }, { buffer: args.dy, size }, args.a, args.b, { buffer: dx, size }, partials, params]);
        this.dispatch(pass, pipeline, group, step.channels * step.chunks);
      }
      const finalParams = this.uniform([channels, plan.stride, 0, 0]);
      temps.push(finalParams);
      this.dispatch(pass, pf, this.bind(pf, [partials, da, db, finalParams]), channels);
      pass.end();
      this.device.queue.submit([encoder.finish()]);
      for (const t of temps) t.destroy();
      return { dx, da, db };
    });
  }

  /** Copies `elements` float32 values out of a buffer (needs COPY_SRC usage). */
  async read(buffer: GPUBuffer, elements: number): Promise<Float32Array> {
    checkCount('elements', elements, 0);
    this.checkBuffer('buffer', buffer, elements * 4, BufferUsage.COPY_SRC);
    if (elements === 0) return new Float32Array(0);
    this.assertAlive();
    const device = this.device;
    // Pushed and popped without yielding, whatever throws in between (no scope is left open).
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let staging: GPUBuffer | undefined;
    let failed = false;
    let thrown: unknown;
    try {
      staging = device.createBuffer({ label: 'apalu-readback', size: elements * 4, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
      const encoder = device.createCommandEncoder({ label: 'apalu-readback' });
      encoder.copyBufferToBuffer(buffer, 0, staging, 0, elements * 4);
      device.queue.submit([encoder.finish()]);
    } catch (error) {
      failed = true;
      thrown = error;
    }
    const scopes = Promise.all([device.popErrorScope(), device.popErrorScope()]);
    try {
      const [validation, oom] = await scopes;
      if (oom !== null) throw new ApaluGpuError('E_GPU_OOM', `Out of GPU memory reading ${elements} values back: ${oom.message}.`);
      if (validation !== null) throw new ApaluGpuError('E_GPU_VALIDATION', `WebGPU rejected reading ${elements} values back: ${validation.message}`);
      if (failed) throw thrown;
      try {
        await staging!.mapAsync(MAP_MODE_READ);
      } catch (error) {
        // A lost device rejects the mapping; say so instead of a bare AbortError.
        await Promise.resolve();
        this.assertAlive();
        throw new ApaluGpuError('E_GPU_VALIDATION', `Reading results back failed: ${(error as Error).message}`, { cause: error });
      }
      return new Float32Array(staging!.getMappedRange().slice(0));
    } finally {
      staging?.destroy();
    }
  }
}

interface PartialStep {
  width: VectorWidth;
  channels: number;
  vinner: number;
  perChannel: number;
  chunks: number;
  pbase: number;
  base: number;
  bindBytes: number;
}

/**
 * How the backward pass splits the work. Vector loads need each channel's runs to be whole
 * vec4s: true when S is a multiple of 4, or with one channel (its elements are contiguous;
 * the last length % 4 go to a one-workgroup scalar step whose partial is summed last).
 */
/** Bytes of the backward's partial sums: 48 per channel and chunk (12 floats: float32 pairs of both sums). */
export function partialBytes(plan: { stride: number }, channels: number): number {
  return Math.max(48, channels * plan.stride * 48);
}

export function planBackward(length: number, channels: number, inner: number): { steps: PartialStep[]; stride: number } {
  const perWorkgroup = BACKWARD_ROWS * REDUCE_WORKGROUP;
  const steps: PartialStep[] = [];
  if (length === 0) return { steps, stride: 0 };
  if (channels === 1) {
    const vectors = Math.floor(length / 4);
    let chunks = 0;
    if (vectors > 0) {
      chunks = Math.ceil(vectors / perWorkgroup);
      steps.push({ width: 4, channels: 1, vinner: vectors, perChannel: vectors, chunks, pbase: 0, base: 0, bindBytes: vectors * 16 });
    }
    const tail = length - vectors * 4;
    if (tail > 0) steps.push({ width: 1, channels: 1, vinner: tail, perChannel: tail, chunks: 1, pbase: chunks, base: vectors * 4, bindBytes: length * 4 });
    return { steps, stride: chunks + (tail > 0 ? 1 : 0) };
  }
  const width: VectorWidth = inner % 4 === 0 ? 4 : 1;
  const perChannel = length / channels / width;
  const chunks = Math.ceil(perChannel / perWorkgroup);
  steps.push({ width, channels, vinner: inner / width, perChannel, chunks, pbase: 0, base: 0, bindBytes: length * 4 });
  return { steps, stride: chunks };
}
