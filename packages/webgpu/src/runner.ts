// ApaluGpuRunner: the APALU kernels on GPUBuffers of one device — checks the call, plans it, then
// records it inside error scopes (plan.ts, error-scopes.ts, dispatch.ts do each part).
import { validateLayout } from '@apalu/core';
import { BufferUsage, MAP_MODE_READ, RESULT_USAGE, checkBuffer, checkCount } from './buffers.js';
import { BACKWARD_KERNELS, FORWARD_KERNELS, type Kernel, type Recorder, pipeline, recordBackward, recordForward } from './dispatch.js';
import { FREE_OR_SPLIT, inErrorScopes, scopeError } from './error-scopes.js';
import { ApaluGpuError } from './errors.js';
import { assertFits, largestLength, planBackward } from './plan.js';

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

export interface RunnerOptions {
  /** Workgroups per grid dimension before a dispatch goes 2-D (default: the device limit). Tests lower it. */
  gridLimit?: number;
}

const runners = new WeakMap<GPUDevice, ApaluGpuRunner>();

/** The runner of a device: pipelines are compiled once per device and shared. */
export function getRunner(device: GPUDevice): ApaluGpuRunner {
  let runner = runners.get(device);
  if (runner === undefined) {
    runner = new ApaluGpuRunner(device);
    runners.set(device, runner);
  }
  return runner;
}

/**
 * APALU kernels over one GPUDevice, GPUBuffer in and GPUBuffer out. Each call records and
 * submits one command buffer; later work on the same queue sees its results, so callers can
 * chain GPU work without reading back. Temporary buffers are destroyed after submission;
 * buffers the runner creates for results belong to the caller (call `destroy()` on them).
 */
export class ApaluGpuRunner {
  readonly device: GPUDevice;
  private lostInfo: GPUDeviceLostInfo | undefined;
  private readonly recorder: Recorder;

  constructor(device: GPUDevice, options: RunnerOptions = {}) {
    this.device = device;
    this.recorder = { device, gridLimit: options.gridLimit ?? device.limits.maxComputeWorkgroupsPerDimension };
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

  /** Compiles every pipeline now instead of on first use. */
  async warmUp(): Promise<void> {
    await Promise.all([...FORWARD_KERNELS, ...BACKWARD_KERNELS].map((k) => pipeline(this.device, k)));
  }

  /**
   * The largest length (a multiple of C·S) of a forward or backward call this device can run: every
   * tensor is one storage buffer of 4 bytes per element, and a backward also needs its per-channel
   * partial sums (48 bytes per channel and chunk). 0 when none fits (a backward with very many channels).
   */
  largestLength(channels: number, inner = 1, backward = false): number {
    return largestLength(this.device.limits, channels, inner, backward);
  }

  /**
   * Throws ApaluInputError('E_TOO_LARGE') (before any GPU work) when a call of this size cannot run on
   * the device (call contract point 5): its tensors above maxBufferSize / maxStorageBufferBindingSize,
   * or, for a backward, its partial sums. The message names the length and the largest length that fits.
   */
  assertFits(length: number, channels: number, inner: number, backward: boolean): void {
    assertFits(this.device.limits, length, channels, inner, backward);
  }

  private validate(args: GpuForwardArgs): { length: number; channels: number; inner: number } {
    checkCount('length', args.length, 0);
    checkCount('channels', args.channels, 1);
    const { channels, inner } = validateLayout(args.length, args.channels, args.inner);
    checkBuffer('x', args.x, args.length * 4, BufferUsage.STORAGE);
    checkBuffer('a', args.a, channels * 4, BufferUsage.STORAGE);
    checkBuffer('b', args.b, channels * 4, BufferUsage.STORAGE);
    return { length: args.length, channels, inner };
  }

  /**
   * Compiles (or takes from the cache) the kernels' pipelines, then runs `record` inside error
   * scopes (inErrorScopes: no await between push and pop) and turns what they caught into
   * ApaluGpuError, destroying the result buffers it made (`owned`).
   */
  private async scoped<T>(what: string, owned: GPUBuffer[], kernels: readonly Kernel[], record: (pipelines: GPUComputePipeline[]) => T): Promise<T> {
    this.assertAlive();
    const pipelines = await Promise.all(kernels.map((k) => pipeline(this.device, k)));
    this.assertAlive();
    const { result, failed, thrown, errors } = inErrorScopes(this.device, () => record(pipelines));
    const error = scopeError(await errors, { during: `during ${what}`, rejected: what, advice: FREE_OR_SPLIT });
    if (!failed && error === undefined) return result as T;
    for (const b of owned) b.destroy();
    if (this.lostInfo !== undefined) this.assertAlive();
    throw error ?? thrown;
  }

  /** A result buffer the caller owns. */
  createResultBuffer(elements: number, label: string): GPUBuffer {
    return this.device.createBuffer({ label, size: Math.max(4, elements * 4), usage: RESULT_USAGE });
  }

  /** y = f(x) on the GPU. Resolves once the work is submitted (not finished). */
  async forward(args: GpuForwardArgs): Promise<GPUBuffer> {
    const { length, channels, inner } = this.validate(args);
    this.assertFits(length, channels, inner, false);
    if (args.y !== undefined) checkBuffer('y', args.y, length * 4, BufferUsage.STORAGE);
    const owned: GPUBuffer[] = [];
    return this.scoped('forward', owned, FORWARD_KERNELS, (pipelines) => {
      const y = args.y ?? this.createResultBuffer(length, 'apalu-y');
      if (args.y === undefined) owned.push(y);
      recordForward(this.recorder, pipelines, { x: args.x, a: args.a, b: args.b, y, length, channels, inner });
      return y;
    });
  }

  /** dx = dy·∂f/∂x and per-channel da, db on the GPU. Resolves once submitted. */
  async backward(args: GpuBackwardArgs): Promise<GpuBackwardResult> {
    const { length, channels, inner } = this.validate(args);
    checkBuffer('dy', args.dy, length * 4, BufferUsage.STORAGE);
    if (args.dx !== undefined) checkBuffer('dx', args.dx, length * 4, BufferUsage.STORAGE);
    if (args.da !== undefined) checkBuffer('da', args.da, channels * 4, BufferUsage.STORAGE);
    if (args.db !== undefined) checkBuffer('db', args.db, channels * 4, BufferUsage.STORAGE);
    this.assertFits(length, channels, inner, true);
    const plan = planBackward(length, channels, inner);
    const owned: GPUBuffer[] = [];
    return this.scoped('backward', owned, BACKWARD_KERNELS, (pipelines) => {
      const out = (given: GPUBuffer | undefined, elements: number, label: string) => {
        if (given !== undefined) return given;
        const b = this.createResultBuffer(elements, label);
        owned.push(b);
        return b;
      };
      const dx = out(args.dx, length, 'apalu-dx');
      const da = out(args.da, channels, 'apalu-da');
      const db = out(args.db, channels, 'apalu-db');
      recordBackward(this.recorder, pipelines, plan, { x: args.x, dy: args.dy, a: args.a, b: args.b, dx, da, db, channels });
      return { dx, da, db };
    });
  }

  /** Copies `elements` float32 values out of a buffer (needs COPY_SRC usage). */
  async read(buffer: GPUBuffer, elements: number): Promise<Float32Array> {
    checkCount('elements', elements, 0);
    checkBuffer('buffer', buffer, elements * 4, BufferUsage.COPY_SRC);
    if (elements === 0) return new Float32Array(0);
    this.assertAlive();
    const device = this.device;
    let staging: GPUBuffer | undefined;
    const { failed, thrown, errors } = inErrorScopes(device, () => {
      staging = device.createBuffer({ label: 'apalu-readback', size: elements * 4, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
      const encoder = device.createCommandEncoder({ label: 'apalu-readback' });
      encoder.copyBufferToBuffer(buffer, 0, staging, 0, elements * 4);
      device.queue.submit([encoder.finish()]);
    });
    try {
      const error = scopeError(await errors, { during: `reading ${elements} values back` });
      if (error !== undefined) throw error;
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
