// The cpu kernel's wasm engine streams like @apalu/wasm's backend (its streamForward/streamBackward): blocks that start
// anywhere in a (C, S) period, a small kept memory whatever the layout, and the backend's bits (f, dx, da, db).
import { splitmix32 } from '@apalu/core';
import { createBackend as createWasmBackend } from '@apalu/wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuBackward, cpuForward, cpuKernelMemoryBytes, setCpuEngineLimits } from '../src/kernels/cpu-engine.js';

const bits = (v: Float32Array) => new Uint32Array(v.buffer, v.byteOffset, v.length);

describe('cpu kernel engine: block streaming', () => {
  afterAll(() => setCpuEngineLimits(undefined));

  it.each([
    { C: 3, S: 5000, rows: 2 }, // a period of 15,000 elements: 15 blocks of 1024 each, runs cut inside
    { C: 64, S: 1, rows: 300 },
    { C: 5, S: 9, rows: 101 },
    { C: 1, S: 1, rows: 10_007 },
  ])('C = $C, S = $S: the same bits as @apalu/wasm with the same blocks, in a kept memory of 64 KiB', async ({ C, S, rows }) => {
    setCpuEngineLimits({ chunkElements: 1024, keepBytes: 65536 });
    const backend = await createWasmBackend({ blockElements: 1024 });
    try {
      const n = C * S * rows;
      const next = splitmix32(C * 31 + S);
      const x = Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * 8);
      const dy = Float32Array.from({ length: n }, () => (next() / 2 ** 32) * 2 - 1);
      const a = Float32Array.from({ length: C }, (_, c) => 0.2 + ((c * 0.37) % 1.7));
      const b = Float32Array.from({ length: C }, (_, c) => 1.8 - ((c * 0.23) % 1.6));
      for (const precision of [0, 1] as const) {
        const options = { inner: S };
        const ref = precision === 0 ? backend : await createWasmBackend({ blockElements: 1024, precision: 'fast' });
        const y = cpuForward(x, a, b, { channels: C, inner: S }, precision);
        expect(bits(y)).toEqual(bits(await ref.forward(x, a, b, options)));
        const g = cpuBackward(x, dy, a, b, { channels: C, inner: S }, precision);
        const want = await ref.backward(x, dy, a, b, options);
        expect([bits(g.dx), bits(g.da), bits(g.db)]).toEqual([bits(want.dx), bits(want.da), bits(want.db)]);
        if (ref !== backend) await ref.dispose();
      }
      // Before, a (C, S) period longer than a chunk made a chunk of its own (C = 3, S = 5000: 180 KB, past the kept 64 KiB).
      expect(cpuKernelMemoryBytes()).toBeGreaterThan(0);
      expect(cpuKernelMemoryBytes()).toBeLessThanOrEqual(65536);
    } finally {
      await backend.dispose();
    }
  });
});
