import { ApaluInputError, apalu } from '@apalu/core';
import { describe, expect, it } from 'vitest';
import { apaluFunction, apaluModel, apaluNode, apaluOpset, createBackend, createSession, formulations, onnx } from '../src/index.js';
import { thrown } from './helpers.js';

const composedOk = (got: number, ref: number) =>
  Object.is(got, ref) || (Number.isNaN(ref) ? Number.isNaN(got) : Math.abs(got - ref) <= Math.max(5e-6, 1e-5 * Math.abs(ref)));

function inputs(): Float32Array {
  const special = [0, -0, Number.NaN, Infinity, -Infinity, 1e-45, -1e-45, 1e-8, -1e-8, -1e-7, -1e-3, 0.5, -0.5, 17, -17, 88.7, -88.7, 89, -89, 1e4, -1e4, 3e38, -3e38, 3.4e38];
  const rnd = Array.from({ length: 2000 }, (_, i) => Math.sin(i * 12.9898) * 20);
  return Float32Array.from([...special, ...rnd]);
}

describe.each(formulations)('APALU function, formulation %s', (formulation) => {
  it('matches the float64 reference within the composed tolerance, channels-last and channels-first', async () => {
    const x = inputs();
    const a = [0.25, 1, 1.9];
    const b = [0.3, 1.2, 1.999];
    const backend = await createBackend({ formulation });
    for (const inner of [1, 7]) {
      const len = Math.floor(x.length / (3 * inner)) * 3 * inner;
      const xs = x.subarray(0, len);
      const y = await backend.forward(xs, Float32Array.from(a), Float32Array.from(b), { inner });
      const bad: string[] = [];
      for (let i = 0; i < len; i++) {
        const c = Math.floor(i / inner) % 3;
        const ref = Math.fround(apalu(xs[i]!, Math.fround(a[c]!), Math.fround(b[c]!)));
        if (!composedOk(y[i]!, ref)) bad.push(`x=${xs[i]} c=${c} got ${y[i]} ref ${ref}`);
      }
      expect(bad.slice(0, 5)).toEqual([]);
    }
    await backend.dispose?.();
  });
});

describe('apaluModel', () => {
  it('runs a baked NCHW model with per-channel a, b', async () => {
    const a = [0.5, 1.5];
    const b = [1, 0.1];
    const session = await createSession(apaluModel({ a, b, layout: 'channels-first', shape: ['batch', 2, 2, 2] }));
    const x = Float32Array.from([-1, 0, 1, 2, -2, -0.5, 0.5, 3]);
    const { Tensor } = await import('onnxruntime-web');
    const out = await session.run({ x: new Tensor('float32', x, [1, 2, 2, 2]) });
    const y = out.y!.data as Float32Array;
    for (let i = 0; i < 8; i++) {
      const c = Math.floor(i / 4);
      expect(composedOk(y[i]!, apalu(x[i]!, a[c]!, b[c]!))).toBe(true);
    }
  });
});


describe('apaluFunction opset', () => {
  it('imports the chosen default-domain opset (13..21, default 13) and rejects others', () => {
    expect(apaluFunction().opsetImport).toEqual([{ domain: '', version: 13 }]);
    for (const opset of [13, 14, 17, 18, 21]) expect(apaluFunction('sigmoid-exp', { opset }).opsetImport).toEqual([{ domain: '', version: opset }]);
    for (const opset of [12, 22, 17.5, Number.NaN]) {
      const error = thrown(() => apaluFunction('shared-exp', { opset }));
      expect(error).toBeInstanceOf(ApaluInputError);
      expect(error!.message).toContain(`opset = ${String(opset)}`);
    }
    const model = onnx.ModelProto.decode(apaluModel({ a: [1, 2], b: [1, 2], opset: 18 }));
    expect(model.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([['', 18], ['ai.apalu', 1]]);
    expect(model.functions![0]!.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([['', 18]]);
  });

  it.each(formulations)('%s: a host model importing opset 17 runs in onnxruntime-web and matches @apalu/core', async (formulation) => {
    const a = [0.25, 1.9];
    const b = [1.2, 0.3];
    const { node, initializers } = apaluNode({ input: 'x', output: 'act', a, b });
    const vi = (name: string) => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'n' }, { dimValue: 2 }] } } } });
    const host = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }, apaluOpset],
      graph: { name: 'host', node: [node, { opType: 'Identity', input: ['act'], output: ['y'] }], input: [vi('x')], output: [vi('y')], initializer: initializers },
      functions: [apaluFunction(formulation, { opset: 17 })],
    };
    const bytes = onnx.ModelProto.encode(onnx.ModelProto.fromObject(host as never)).finish();
    const x = inputs();
    const session = await createSession(bytes);
    const { Tensor } = await import('onnxruntime-web');
    const y = (await session.run({ x: new Tensor('float32', x, [x.length / 2, 2]) })).y!.data as Float32Array;
    const bad: string[] = [];
    for (let i = 0; i < x.length; i++) {
      const ref = Math.fround(apalu(x[i]!, Math.fround(a[i % 2]!), Math.fround(b[i % 2]!)));
      if (!composedOk(y[i]!, ref)) bad.push(`x=${x[i]} got ${y[i]} ref ${ref}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    await session.release();
  });
});

describe('apaluNode / apaluModel argument checks', () => {
  it('checks a and b as the float32 values the model stores: 1e39 (→ ∞) and 1e-50 (→ 0) are refused, naming the value', () => {
    for (const [a, b, named] of [[[1], [1e39], /b\[0\] = 1e\+39 is Infinity in float32/], [[1e-50], [1], /a\[0\] = 1e-50 is 0 in float32/], [[1, 3e38, 4e38], [1, 1, 1], /a\[2\] = 4e\+38 is Infinity/]] as const) {
      for (const build of [() => apaluNode({ input: 'x', output: 'y', a, b }), () => apaluModel({ a, b })]) {
        const error = thrown(build);
        expect(error).toBeInstanceOf(ApaluInputError);
        expect(error!.message).toMatch(named);
      }
    }
    // The float32 extremes themselves are fine.
    expect(() => apaluModel({ a: [1.401298464324817e-45], b: [3.4028234663852886e38] })).not.toThrow();
  });

  it('checks paramShape dimensions and a numeric channel dimension of the model shape against C', () => {
    const node = (paramShape: number[]) => () => apaluNode({ input: 'x', output: 'y', a: [1, 2], b: [1, 2], paramShape });
    for (const [shape, named] of [[[-1, -2], /paramShape\[0\] = -1/], [[0.5, 4], /paramShape\[0\] = 0.5/], [[2, Number.NaN], /paramShape\[1\] = NaN/], [[2, 0], /paramShape\[1\] = 0/]] as const) {
      const error = thrown(node([...shape]));
      expect(error).toBeInstanceOf(ApaluInputError);
      expect(error!.message).toMatch(named);
    }
    expect(apaluNode({ input: 'x', output: 'y', a: [1, 2], b: [1, 2], paramShape: [2, 1, 1] }).initializers[0]!.dims).toEqual([2, 1, 1]);

    for (const [options, named] of [
      [{ a: [1, 2, 3], b: [1, 2, 3], shape: ['batch', 2] }, /shape\[1\] = 2 .* but a.length = 3/],
      [{ a: [1, 2, 3], b: [1, 2, 3], layout: 'channels-first', shape: ['batch', 2, 4] }, /shape\[1\] = 2 .* but a.length = 3/],
      [{ a: [1, 2], b: [1, 2], shape: ['batch', -2] }, /shape\[1\] = -2/],
      [{ a: [1, 2], b: [1, 2], shape: ['batch', 4, 2.5] }, /shape\[2\] = 2.5/],
    ] as const) {
      const error = thrown(() => apaluModel(options as never));
      expect(error).toBeInstanceOf(ApaluInputError);
      expect(error!.message).toMatch(named);
    }
    // Symbolic channels, matching channels, and one shared pair on any channel count are fine.
    expect(() => apaluModel({ a: [1, 2, 3], b: [1, 2, 3], shape: ['batch', 'c'] })).not.toThrow();
    expect(() => apaluModel({ a: [1, 2, 3], b: [1, 2, 3], layout: 'channels-first', shape: ['batch', 3, 4] })).not.toThrow();
    expect(() => apaluModel({ a: [1], b: [1], shape: ['batch', 5] })).not.toThrow();
  });
});
