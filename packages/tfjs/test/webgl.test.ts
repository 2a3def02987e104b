/**
 * The webgl kernels run only in a browser with WebGL2: apps/playground's end-to-end test runs the
 * conformance kit on them in Debian chromium (SwiftShader WebGL2) and trains models with them.
 * Here, in Node: the variants, the registration, the refusal without WebGL, and the probe's
 * verdicts on known-good and known-bad results.
 */
import { apalu as reference, apaluGrad } from '@apalu/core';
import { WGSL_APALU_MATH } from '@apalu/webgpu';
import { describe, expect, it } from 'vitest';
import { conformanceVariants } from '../src/conformance.js';
import { probeStrict } from '../src/kernels/webgl.js';
import { GLSL_APALU_FAST, GLSL_APALU_MATH } from '../src/kernels/webgl-math.js';
import { APALU_GRAD_KERNEL, APALU_KERNEL, createBackend, hasApaluKernel, registerApaluKernels } from '../src/node.js';
import { tf } from './tf.js';

/** What exact kernels would return: the float64 references rounded once. */
function exact(x: Float32Array, dy: Float32Array, a: number, b: number): Float32Array[] {
  let da = 0;
  let db = 0;
  const f = new Float32Array(x.length);
  const dx = new Float32Array(x.length);
  x.forEach((xi, i) => {
    const g = apaluGrad(xi, a, b);
    f[i] = reference(xi, a, b);
    dx[i] = (dy[i] as number) * g.dx;
    da += (dy[i] as number) * g.da;
    db += (dy[i] as number) * g.db;
  });
  return [f, dx, Float32Array.of(da), Float32Array.of(db)];
}

describe('webgl kernels (Node side)', () => {
  it('lists the webgl variants with the options and exclusions the browser matrix runs', () => {
    const byName = new Map(conformanceVariants.map((v) => [v.name, v as { options: object; excludeInputs?: object }]));
    expect(byName.get('tfjs-webgl-kernel')).toEqual({ name: 'tfjs-webgl-kernel', options: { tfBackend: 'webgl', path: 'kernel' }, platform: 'browser' });
    expect(byName.get('tfjs-webgl-kernel-fast')?.options).toEqual({ tfBackend: 'webgl', path: 'kernel', precision: 'fast' });
    expect(Object.keys(byName.get('tfjs-webgl-kernel-fast')?.excludeInputs ?? {})).toContain('negative-subnormal');
    expect(byName.get('tfjs-webgl-composed')?.options).toEqual({ tfBackend: 'webgl', path: 'composed' });
  });

  it('registers Apalu and ApaluGrad for webgl; without a WebGL2 backend the op composes', () => {
    registerApaluKernels();
    expect(tf.getKernel(APALU_KERNEL, 'webgl')?.backendName).toBe('webgl');
    expect(tf.getKernel(APALU_GRAD_KERNEL, 'webgl')?.backendName).toBe('webgl');
    // tfjs-backend-webgl is not loaded here (its WEBGL_VERSION flag does not exist): no kernel route.
    expect(hasApaluKernel('webgl')).toBe(false);
  });

  it("createBackend({ tfBackend: 'webgl' }) in Node fails with E_BACKEND (tfjs has no WebGL here)", async () => {
    await expect(createBackend({ tfBackend: 'webgl' })).rejects.toMatchObject({ code: 'E_BACKEND', kind: 'environment', message: expect.stringMatching(/webgl/) });
  });

  it('the probe accepts exact results and rejects a cancelling expm1, a flushed subnormal and a float32 sum', () => {
    expect(probeStrict(exact)).toBe(true);
    // exp(x) − 1 in float32: f(−1e-7) cancels to one ULP of 1, far from b·x.
    expect(
      probeStrict((x, dy, a, b) => {
        const out = exact(x, dy, a, b);
        x.forEach((xi, i) => {
          if (xi < 0) (out[0] as Float32Array)[i] = b * (Math.fround(Math.exp(xi)) - 1);
        });
        return out;
      }),
    ).toBe(false);
    // A GPU that flushes subnormal texels: f(±1e-41) = 0.
    expect(
      probeStrict((x, dy, a, b) => {
        const out = exact(x, dy, a, b);
        x.forEach((xi, i) => {
          if (xi !== 0 && Math.abs(xi) < 2 ** -126) (out[0] as Float32Array)[i] = 0;
        });
        return out;
      }),
    ).toBe(false);
    // A kernel that throws (no WebGL2, a shader that does not compile) is not strict either.
    expect(
      probeStrict(() => {
        throw new Error('Failed to compile fragment shader.');
      }),
    ).toBe(false);
  });

  it('writes every float constant of the GLSL so it reads back as the same float32', () => {
    for (const source of [GLSL_APALU_MATH, GLSL_APALU_FAST]) {
      for (const [, literal] of source.matchAll(/const float \w+ = ([^;]+);/g)) {
        const value = Number(literal);
        expect(Math.fround(value), literal).toBe(value);
      }
    }
  });

  it("uses the numbers of @apalu/webgpu's WGSL math: thresholds, bit masks, constants and coefficients (the README's drift check)", () => {
    const literals = (source: string) =>
      new Set([...source.replace(/\/\/.*$/gm, '').matchAll(/(?<![\w.])(0x[0-9a-f]+u?|\d+\.\d+(?:e-?\d+)?|\d+u?)(?![\w.])/gi)].map((m) => (m[1] as string).toLowerCase()));
    const glsl = literals(GLSL_APALU_MATH);
    const wgsl = literals(WGSL_APALU_MATH);
    // GLSL ES 3.00 has no countLeadingZeros: apalu_decode reads a subnormal's exponent off float(frac)
    // (… − 127 − 149); apalu_term's return codes 0/1/2 replace WGSL's accumulator pointers.
    const glslOnly = new Set(['149', '2']);
    expect([...glsl].filter((v) => !wgsl.has(v) && !glslOnly.has(v))).toEqual([]);
    expect([...wgsl].filter((v) => v.startsWith('0x') && !glsl.has(v))).toEqual([]);
    expect(glsl.size).toBeGreaterThan(40);
  });
});
