import { ApaluInputError } from '@apalu/core';
import { totalmem } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { apalu, createBackend, largestLength, sizeLimits, TENSOR_BYTES_PER_ELEMENT, TFJS_WASM_HEAP_BYTES } from '../src/node.js';
import { setWasmHeapBytesForTests } from '../src/size.js';
import { BACKENDS, tf, use } from './tf.js';

afterEach(() => setWasmHeapBytesForTests());

describe('size limits (the call contract, point 5)', () => {
  it.each(BACKENDS)('TENSOR_BYTES_PER_ELEMENT covers the peak tensor memory tf.profile measures on %s, within 4 bytes', async (backend) => {
    await use(backend);
    const n = 1 << 14;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 5);
    for (const path of ['kernel', 'composed'] as const) {
      for (const precision of ['strict', 'fast'] as const) {
        for (const direction of ['forward', 'backward'] as const) {
          const before = tf.memory().numBytes;
          const profile = await tf.profile(() => {
            tf.dispose(
              tf.tidy(() => {
                const [t, a, b] = [tf.tensor3d(x.slice(), [n / 4, 4, 1]), tf.ones([4, 1]), tf.ones([4, 1])];
                if (direction === 'forward') return apalu(t, a, b, { path, precision });
                return tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => apalu(p, q, r, { path, precision }))([t, a, b], tf.tensor3d(x.slice(), t.shape));
              }),
            );
            return [] as tf.Tensor[];
          });
          // The two [4, 1] parameters and their gradients are a few bytes beside n elements.
          const measured = (profile.peakBytes - before - 16 * 4 * 4) / n;
          const declared = TENSOR_BYTES_PER_ELEMENT[path][direction];
          expect({ path, precision, direction, fits: measured <= declared && measured > declared - 4 }).toEqual({ path, precision, direction, fits: true });
        }
      }
    }
  });

  it('names the largest lengths: the wasm heap, the cpu memory budget', () => {
    expect(largestLength(sizeLimits('wasm', 'kernel', undefined), 'forward')).toBe(Math.floor(TFJS_WASM_HEAP_BYTES / 8));
    expect(largestLength(sizeLimits('wasm', 'composed', undefined), 'backward')).toBe(Math.floor(TFJS_WASM_HEAP_BYTES / 47));
    // 2^28 elements through the composed path (the 9 GiB) exceed the wasm heap either way.
    expect(largestLength(sizeLimits('wasm', 'composed', undefined), 'forward')).toBeLessThan(2 ** 28);
    expect(largestLength(sizeLimits('cpu', 'composed', 16 * 2 ** 30), 'forward')).toBe(Math.floor((16 * 2 ** 30) / 30));
    expect(largestLength(sizeLimits('webgpu', 'kernel', undefined, 2 ** 27), 'backward')).toBe(2 ** 25);
    expect(totalmem()).toBeGreaterThan(0);
  });

  it.each(['kernel', 'composed'] as const)('createBackend (cpu, %s) refuses a call over memoryLimitBytes before allocating, naming x.length and the largest lengths', async (path) => {
    const perForward = TENSOR_BYTES_PER_ELEMENT[path].forward + 4;
    const perBackward = TENSOR_BYTES_PER_ELEMENT[path].backward + 4;
    const backend = await createBackend({ tfBackend: 'cpu', path, memoryLimitBytes: 100 * perForward });
    const one = Float32Array.of(1);
    expect((await backend.forward(new Float32Array(100), one, one)).length).toBe(100);
    const tensors = tf.memory().numTensors;
    const refused = backend.forward(new Float32Array(101), one, one);
    await expect(refused).rejects.toThrow(ApaluInputError);
    await expect(refused).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
    const largestBackward = Math.floor((100 * perForward) / perBackward);
    await expect(refused).rejects.toThrow(new RegExp(`x.length = 101 is too large for tfjs-cpu-${path} forward.*up to 100 for forward and ${largestBackward} for backward`));
    await expect(backend.backward(new Float32Array(largestBackward + 1), new Float32Array(largestBackward + 1), one, one)).rejects.toThrow(/E_TOO_LARGE|too large/);
    expect(tf.memory().numTensors).toBe(tensors);
    await expect(createBackend({ memoryLimitBytes: -1 })).rejects.toThrow(/memoryLimitBytes = -1: give a positive number/);
  });

  it.each(['kernel', 'composed'] as const)('the wasm backend keeps within its heap (a small heap injected), in createBackend and in the op (%s)', async (path) => {
    setWasmHeapBytesForTests(8 * 1000 * (path === 'kernel' ? 1 : 26 / 8));
    const backend = await createBackend({ tfBackend: 'wasm', path });
    const one = Float32Array.of(1);
    expect((await backend.forward(new Float32Array(1000), one, one)).length).toBe(1000);
    await expect(backend.forward(new Float32Array(1001), one, one)).rejects.toThrow(/x.length = 1001 is too large for tfjs-wasm-.*heap/);
    await use('wasm');
    const x = tf.zeros([1001]);
    const tensors = tf.memory().numTensors;
    expect(() => apalu(x, [1], [1], path)).toThrow(/x.length = 1001 is too large for apalu/);
    expect(tf.memory().numTensors).toBe(tensors);
    // The gradient checks its own (larger) need.
    const small = tf.zeros([800]);
    expect(() => tf.grad((t: tf.Tensor) => apalu(t, [1], [1], path))(small)).toThrow(/x.length = 800 is too large for the Apalu gradient/);
    tf.dispose([x, small]);
  });
});
