// The cpu kernels' engine as a tfjs environment flag (APALU_CPU_KERNEL_ENGINE): set through tf.env() or the
// compatibility setter, refused with E_OPTION when the value is not an engine, and what the kernels then compute.
import { forward as coreForward } from '@apalu/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CPU_KERNEL_ENGINE_FLAG, cpuForward, cpuKernelEngine, setCpuKernelEngine, withCpuKernelEngine } from '../src/kernels/cpu-engine.js';
import { tf } from './tf.js';

const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

describe('cpu kernel engine: the APALU_CPU_KERNEL_ENGINE flag', () => {
  afterEach(() => setCpuKernelEngine(undefined));

  it('is registered with tfjs under its name, defaulting to wasm where WebAssembly runs', () => {
    expect(CPU_KERNEL_ENGINE_FLAG).toBe('APALU_CPU_KERNEL_ENGINE');
    expect(tf.env().get(CPU_KERNEL_ENGINE_FLAG)).toBe('wasm');
    expect(cpuKernelEngine()).toBe('wasm');
  });

  it('tf.env().set chooses the engine; setCpuKernelEngine and withCpuKernelEngine set the same flag', () => {
    tf.env().set(CPU_KERNEL_ENGINE_FLAG, 'js');
    expect(cpuKernelEngine()).toBe('js');
    setCpuKernelEngine('wasm');
    expect(tf.env().get(CPU_KERNEL_ENGINE_FLAG)).toBe('wasm');
    const inside = withCpuKernelEngine('js', () => [cpuKernelEngine(), tf.env().get(CPU_KERNEL_ENGINE_FLAG)]);
    expect(inside).toEqual(['js', 'js']);
    expect(tf.env().get(CPU_KERNEL_ENGINE_FLAG)).toBe('wasm');
    setCpuKernelEngine(undefined);
    expect(tf.env().get(CPU_KERNEL_ENGINE_FLAG)).toBe('wasm');
  });

  it('a value that is no engine is refused (E_OPTION) and the flag goes back to its default', () => {
    tf.env().set(CPU_KERNEL_ENGINE_FLAG, 'js');
    expect(() => tf.env().set(CPU_KERNEL_ENGINE_FLAG, 'gpu')).toThrow(/cpu kernel engine = "gpu": use 'wasm'/);
    expect(tf.env().get(CPU_KERNEL_ENGINE_FLAG)).toBe('wasm');
    expect(() => setCpuKernelEngine('gpu' as never)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(cpuKernelEngine()).toBe('wasm');
  });

  it("the flag decides what computes: 'js' gives @apalu/core's float32 loops bit for bit", () => {
    const x = Float32Array.from({ length: 96 }, (_, i) => (i - 48) / 7);
    const a = Float32Array.of(0.5, 1.25, 2);
    const b = Float32Array.of(1, 0.75, 3);
    tf.env().set(CPU_KERNEL_ENGINE_FLAG, 'js');
    expect(bits(cpuForward(x, a, b, { channels: 3, inner: 1 }, 0))).toEqual(bits(coreForward(x, a, b)));
  });
});
