import { ApaluInputError } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { conformanceVariants } from '../src/conformance.js';
import { createBackend } from '../src/node.js';
import { tf } from './tf.js';

describe('createBackend', () => {
  it('names each variant and its accuracy class', async () => {
    const kernel = await createBackend({ tfBackend: 'wasm', path: 'kernel' });
    const composed = await createBackend({ tfBackend: 'cpu', path: 'composed' });
    expect([kernel.name, kernel.accuracy, composed.name, composed.accuracy]).toEqual(['tfjs-wasm-kernel', 'strict', 'tfjs-cpu-composed', 'composed']);
    expect(conformanceVariants.map((v) => v.name)).toContain('tfjs-webgpu-kernel');
    const fast = await createBackend({ tfBackend: 'wasm', path: 'kernel', precision: 'fast' });
    expect([fast.name, fast.accuracy]).toEqual(['tfjs-wasm-kernel-fast', 'composed']);
    const js = await createBackend({ tfBackend: 'cpu', cpuEngine: 'js' });
    expect([js.name, js.accuracy]).toEqual(['tfjs-cpu-kernel-js', 'strict']);
    const y = await kernel.forward(Float32Array.of(-1, 2), Float32Array.of(1), Float32Array.of(1));
    expect(y[0]).toBeCloseTo(Math.expm1(-1), 6);
  });

  it('computes each call on its own tfjs backend when calls of several backends overlap', async () => {
    const cpu = await createBackend({ tfBackend: 'cpu' });
    const wasm = await createBackend({ tfBackend: 'wasm' });
    const seen: string[] = [];
    const spies = (['cpu', 'wasm'] as const).map((name) => {
      const config = tf.getKernel('Apalu', name) as tf.KernelConfig;
      const original = config.kernelFunc;
      config.kernelFunc = (args) => {
        seen.push(name);
        return original(args);
      };
      return () => {
        config.kernelFunc = original;
      };
    });
    try {
      const x = Float32Array.of(-1, 2);
      const one = Float32Array.of(1);
      await Promise.all([cpu.forward(x, one, one), wasm.forward(x, one, one), cpu.backward(x, x, one, one), wasm.backward(x, x, one, one)]);
      expect(seen.filter((n) => n === 'cpu').length).toBe(2);
      expect(seen.filter((n) => n === 'wasm').length).toBe(2);
    } finally {
      for (const restore of spies) restore();
    }
  });

  it('rejects unknown options and bad calls before computing', async () => {
    await expect(createBackend({ tfBackend: 'webnn' as never })).rejects.toThrow(/tfBackend = webnn: use 'cpu', 'wasm', 'webgpu' or 'webgl'/);
    await expect(createBackend({ tfBackend: 'webnn' as never })).rejects.toMatchObject({ code: 'E_OPTION', kind: 'input' });
    await expect(createBackend({ tfBackend: 'toString' as never })).rejects.toThrow(/tfBackend = toString: use 'cpu'/);
    await expect(createBackend({ path: 'fast' as never })).rejects.toThrow(ApaluInputError);
    await expect(createBackend({ tfBackend: 'wasm', precision: 'half' as never })).rejects.toThrow(/precision = "half": use 'strict'.*or 'fast'/);
    await expect(createBackend({ cpuEngine: 'gpu' as never })).rejects.toThrow(/cpu kernel engine = "gpu": use 'wasm'/);
    const backend = await createBackend();
    await expect(backend.forward(Float32Array.of(1, 2, 3), Float32Array.of(1, 1), Float32Array.of(1, 1))).rejects.toThrow(/not a multiple of C·S/);
  });
});
