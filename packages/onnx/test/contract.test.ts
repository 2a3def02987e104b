/**
 * The call contract (the SPEC.md shipped in @apalu/core): dispose mid-flight, inputs read when the
 * call is made, types and detached buffers refused, calls too large for onnxruntime-web refused.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { apalu, apaluGrad } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { ORT_WEB_LARGEST_CALL, largestCall } from '../src/limits.js';
import { createBackend, formulations } from '../src/index.js';

const composedOk = (got: number, ref: number) => Object.is(got, ref) || Math.abs(got - ref) <= Math.max(5e-6, 1e-5 * Math.abs(ref));

describe('dispose() while calls are in flight', () => {
  // onnxruntime-web's session was released under a running call and the main thread spun forever,
  // so the scenario runs in a child process that is killed after 90 s (a hang fails, never blocks).
  for (const mode of ['cold', 'warm']) {
    it(`accepted calls finish, dispose resolves after them, later calls reject E_DISPOSED (${mode} sessions)`, () => {
      const script = fileURLToPath(new URL('./fixtures/dispose-mid-flight.ts', import.meta.url));
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, mode], { encoding: 'utf8', timeout: 90_000, cwd: fileURLToPath(new URL('..', import.meta.url)) });
      expect(run.signal, `the child hung and was killed; stderr: ${run.stderr}`).toBeNull();
      const line = run.stdout.trim().split('\n').at(-1) ?? '';
      expect(JSON.parse(line)).toEqual({
        forward: { length: 65536, worst: expect.any(Number) },
        backward: { length: 65536 },
        dispose: 'fulfilled',
        disposeAgain: 'fulfilled',
        late: 'E_DISPOSED',
      });
      expect(JSON.parse(line).forward.worst).toBeLessThanOrEqual(5e-6);
    }, 120_000);
  }
});

describe('overlapping calls', () => {
  it('forward and backward calls of different layouts made at once on a new backend all resolve with correct values', async () => {
    // onnxruntime-web rejected one of them ("Cannot read properties of null", "OrtRun() ERROR_CODE: 0")
    // when a session's creation or run overlapped another's; three fresh backends make it show.
    for (let round = 0; round < 3; round++) {
      const backend = await createBackend();
      const calls: Promise<void>[] = [];
      for (const inner of [1, 3, 1, 5]) {
        const n = 16464 - (16464 % (2 * inner));
        const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * (1.3 + inner)) * 5);
        const a = Float32Array.of(0.5, 2);
        const b = Float32Array.of(1.5, 0.25);
        const ch = (i: number) => Math.floor(i / inner) % 2;
        calls.push(
          backend.forward(x, a, b, { inner }).then((y) => {
            expect([...y].findIndex((v, i) => !composedOk(v, Math.fround(apalu(x[i]!, a[ch(i)]!, b[ch(i)]!))))).toBe(-1);
          }),
          backend.backward(x, x, a, b, { inner }).then((g) => {
            expect([...g.dx].findIndex((v, i) => !composedOk(v, Math.fround(x[i]! * apaluGrad(x[i]!, a[ch(i)]!, b[ch(i)]!).dx)))).toBe(-1);
          }),
        );
      }
      await Promise.all(calls);
      await backend.dispose?.();
    }
  });
});

describe('inputs are read when the call is made', () => {
  it('writing to x, dy, a, b or transferring x after the call does not change the result', async () => {
    const backend = await createBackend();
    const x0 = [-3, -0.5, 0, 0.25, 2, 9];
    const ref = x0.map((v) => Math.fround(apalu(v, 0.5, 1.5)));
    const x = Float32Array.from(x0);
    const a = Float32Array.of(0.5);
    const b = Float32Array.of(1.5);
    const pending = backend.forward(x, a, b); // the session does not exist yet: the run starts later
    x.fill(100);
    a[0] = 9;
    b[0] = 9;
    expect([...(await pending)].every((y, i) => composedOk(y, ref[i]!))).toBe(true);

    const x2 = Float32Array.from(x0);
    const dy = new Float32Array(x0.length).fill(1);
    const grad = backend.backward(x2, dy, Float32Array.of(0.5), Float32Array.of(1.5));
    dy.fill(-7);
    structuredClone(x2.buffer, { transfer: [x2.buffer] });
    const got = await grad;
    expect([...got.dx].every((d, i) => composedOk(d, Math.fround(apaluGrad(x0[i]!, 0.5, 1.5).dx)))).toBe(true);
    await backend.dispose?.();
  });
});

describe('types, missing and detached inputs', () => {
  const a = Float32Array.of(1);
  const b = Float32Array.of(1);
  it('x, dy must be Float32Array (E_TYPE naming the value and Float32Array.from); a missing dy is E_TYPE, not a TypeError', async () => {
    const backend = await createBackend();
    const f64 = Float64Array.of(1, 2) as unknown as Float32Array;
    await expect(backend.forward(f64, a, b)).rejects.toMatchObject({ code: 'E_TYPE', message: expect.stringMatching(/\bx\b.*Float64Array.*Float32Array\.from\(x\)/) });
    await expect(backend.backward(Float32Array.of(1, 2), f64, a, b)).rejects.toMatchObject({ code: 'E_TYPE', message: expect.stringMatching(/\bdy\b.*Float64Array/) });
    await expect((backend.backward as (...args: unknown[]) => Promise<unknown>)(Float32Array.of(1, 2), undefined, a, b)).rejects.toMatchObject({
      code: 'E_TYPE',
      message: expect.stringMatching(/dy is undefined/),
    });
    await expect(backend.forward([1, 2] as unknown as Float32Array, a, b)).rejects.toMatchObject({ code: 'E_TYPE' });
    await backend.dispose?.();
  });

  it('a detached x, dy, a or b, or an x out of bounds of a shrunk resizable buffer, is E_DETACHED', async () => {
    const backend = await createBackend();
    const detached = () => {
      const t = new Float32Array(4);
      structuredClone(t.buffer, { transfer: [t.buffer] });
      return t;
    };
    await expect(backend.forward(detached(), a, b)).rejects.toMatchObject({ code: 'E_DETACHED', message: expect.stringMatching(/x's buffer is detached/) });
    await expect(backend.backward(Float32Array.of(1), detached(), a, b)).rejects.toMatchObject({ code: 'E_DETACHED', message: expect.stringMatching(/dy's buffer/) });
    await expect(backend.forward(Float32Array.of(1), detached(), b)).rejects.toMatchObject({ code: 'E_DETACHED' });
    const rab = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void })(16, { maxByteLength: 64 });
    const fixed = new Float32Array(rab, 0, 4);
    const tracking = new Float32Array(rab, 8);
    rab.resize(4);
    await expect(backend.forward(fixed, a, b)).rejects.toMatchObject({ code: 'E_DETACHED' });
    await expect(backend.forward(tracking, a, b)).rejects.toMatchObject({ code: 'E_DETACHED' });
    // In bounds, a resizable-buffer view works and the result is a fresh plain Float32Array.
    rab.resize(16);
    fixed.set([-1, 0, 1, 2]);
    const y = await backend.forward(fixed, a, b);
    expect([...y].map((v, i) => composedOk(v, Math.fround(apalu([-1, 0, 1, 2][i]!, 1, 1))))).toEqual([true, true, true, true]);
    expect(y.buffer).not.toBe(rab);
    await backend.dispose?.();
  });
});

describe('calls too large for onnxruntime-web', () => {
  it('are refused with E_TOO_LARGE naming x.length and the limit, before anything is allocated', async () => {
    const backend = await createBackend();
    const { backward } = ORT_WEB_LARGEST_CALL;
    // A view of backward's limit + 1 elements: its buffer is that size (≈ ${backward * 4} bytes) but is never copied.
    const x = new Float32Array(backward + 1);
    await expect(backend.backward(x, x, Float32Array.of(1), Float32Array.of(1))).rejects.toMatchObject({
      code: 'E_TOO_LARGE',
      message: expect.stringContaining(`x.length = ${backward + 1} is more than the onnxruntime-web-wasm backend's backward pass can hold: ${backward} elements at most`),
    });
    await backend.dispose?.();
  }, 60_000);

  it("forward refuses one element above its formulation's limit", async () => {
    const web = { env: { versions: { web: '1.30.0' } } } as never;
    for (const formulation of formulations) {
      const limit = largestCall({ formulation }, web)!;
      expect(limit.forward).toBe(ORT_WEB_LARGEST_CALL.forward[formulation]);
      expect(limit.forward).toBeGreaterThanOrEqual(limit.backward);
    }
    // The smallest forward limit (elu-quickgelu's) + 1 as a real call: a 256 MiB buffer, never copied.
    const backend = await createBackend({ formulation: 'elu-quickgelu' });
    const n = ORT_WEB_LARGEST_CALL.forward['elu-quickgelu'] + 1;
    await expect(backend.forward(new Float32Array(n), Float32Array.of(1), Float32Array.of(1))).rejects.toMatchObject({
      code: 'E_TOO_LARGE',
      message: expect.stringContaining(`x.length = ${n} is more than the onnxruntime-web-wasm-elu-quickgelu backend's forward pass can hold: ${n - 1} elements at most`),
    });
    await backend.dispose?.();
  }, 60_000);

  it('the limit applies to onnxruntime-web only', () => {
    const web = { env: { versions: { web: '1.30.0' } } } as never;
    const node = { env: { versions: { node: '1.30.0' } } } as never;
    const expected = { forward: ORT_WEB_LARGEST_CALL.forward['shared-exp'], backward: ORT_WEB_LARGEST_CALL.backward };
    expect(largestCall({}, web)).toEqual(expected);
    expect(largestCall({ runtime: web }, web)).toEqual(expected);
    expect(largestCall({ runtime: node }, node)).toBeUndefined();
  });
});
