/** The Apalu and ApaluGrad kernels of tfjs's webgl backend as GLSL programs, with the check that the GPU's float32 makes them strict. */
import { ApaluEnvironmentError, apalu, apaluGrad } from '@apalu/core';
import { type DataType, type KernelConfig, type KernelFunc, type TensorInfo, env, getKernel } from '@tensorflow/tfjs-core';
import { APALU_GRAD_KERNEL, APALU_KERNEL } from '../names.js';
import { kernelLayout, sizeOf } from './shared.js';
import { GLSL_APALU_FAST, GLSL_APALU_MATH } from './webgl-math.js';

/**
 * tfjs-backend-webgl's program contract (its `GPGPUProgram` type): the backend compiles
 * `userCode` behind its own prelude (precision, the `getX(index)` samplers of every variable,
 * `getOutputCoords()`, `setOutput(value)`), caches the binary by the code and the input shapes,
 * and unpacks packed inputs for programs with `packedInputs: false`.
 */
interface WebGlProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  packedInputs?: boolean;
  packedOutput?: boolean;
  enableShapeUniforms?: boolean;
  customUniforms?: { name: string; type: 'int' | 'float' }[];
}

interface WebGlBackend {
  runWebGLProgram(program: WebGlProgram, inputs: TensorInfo[], dtype: DataType, customUniformValues?: number[][], preventEagerUnpackingOfOutput?: boolean): TensorInfo;
  disposeIntermediateTensorInfo(info: TensorInfo): void;
}

/** Elements one fragment sums per channel in the backward pass's first stage. */
const CHUNK = 256;

/** Uniforms every program here declares; `apaluZero` is 0 (see GLSL_APALU_MATH). */
const UNIFORMS = [
  { name: 'apaluZero', type: 'int' as const },
  { name: 'channels', type: 'int' as const },
  { name: 'inner', type: 'int' as const },
];

/** x as a flat [n] tensor of the webgl backend (tfjs's own Reshape: free unless x is packed). */
function flat(backend: WebGlBackend, x: TensorInfo): TensorInfo {
  const reshape = getKernel('Reshape', 'webgl');
  if (reshape === undefined) throw new ApaluEnvironmentError('E_BACKEND', "tfjs-backend-webgl has no Reshape kernel registered: import '@tensorflow/tfjs-backend-webgl' (the same version as @tensorflow/tfjs-core).");
  return reshape.kernelFunc({ inputs: { x }, backend: backend as never, attrs: { shape: [sizeOf(x.shape)] } }) as TensorInfo;
}

const bits = (v: string) => `floatBitsToUint(${v})`;

/**
 * One program, one output per element i (channel floor(i / inner) mod channels): f(x) for
 * 'forward', dy·∂f/∂x for 'dx'. Strict math takes and returns float32 bits, fast math floats.
 */
const elementwiseProgram = (op: 'forward' | 'dx', n: number, fast: boolean): WebGlProgram => {
  const args = op === 'dx' ? ['getX(i)', 'getDy(i)', 'getA(c)', 'getB(c)'] : ['getX(i)', 'getA(c)', 'getB(c)'];
  const value = fast ? `apalu_fast_${op}(${args.join(', ')})` : `uintBitsToFloat(apalu_${op}(${args.map(bits).join(', ')}))`;
  return {
    variableNames: op === 'dx' ? ['dy', 'x', 'a', 'b'] : ['x', 'a', 'b'],
    outputShape: [n],
    packedInputs: false,
    packedOutput: false,
    enableShapeUniforms: true,
    customUniforms: UNIFORMS,
    userCode: `${fast ? GLSL_APALU_FAST : GLSL_APALU_MATH}
void main() {
  int i = getOutputCoords();
  int c = imod(i / inner, channels);
  setOutput(${value});
}`,
  };
};

/**
 * The per-channel accumulator of @apalu/webgpu, in GLSL: s holds terms ≥ 2^-60 as a
 * double-float scaled by 2^-40 (no overflow for partial sums near FLT_MAX), t smaller terms
 * scaled by 2^100 (subnormal terms add up exactly where the GPU flushes subnormals), f flags
 * for ±∞ and NaN terms.
 */
const GLSL_ACC = /* glsl */ `
const uint APALU_F_NAN = 1u;
const uint APALU_F_POS = 2u;
const uint APALU_F_NEG = 4u;
struct ApaluAcc { vec2 s; vec2 t; uint f; };

vec2 apalu_df_add(vec2 a, vec2 b) {
  vec2 s = apalu_two_sum(a.x, b.x);
  return apalu_two_sum(s.x, s.y + (a.y + b.y));
}
void apalu_acc_add_df(inout ApaluAcc acc, vec2 v) {
  bool acc_big = abs(acc.s.x) >= abs(v.x);
  vec2 s = apalu_fast_two_sum(acc_big ? acc.s.x : v.x, acc_big ? v.x : acc.s.x);
  acc.s = apalu_two_sum(s.x, s.y + (acc.s.y + v.y));
}
void apalu_acc_add(inout ApaluAcc acc, vec2 v, int e) {
  float r = apalu_opaque(v.x + v.y);
  vec2 rest = vec2((v.x - r) + v.y, 0.0);
  int biased = int((floatBitsToUint(r) >> 23u) & 0xffu) + e;
  if (biased < 67) {
    vec2 scaled = vec2(uintBitsToFloat(apalu_pack(vec2(r, 0.0), e + 100)), uintBitsToFloat(apalu_pack(rest, e + 100)));
    acc.t = apalu_df_add(acc.t, scaled);
    return;
  }
  if (biased >= 255) {
    acc.f |= floatBitsToUint(r) >= APALU_SIGN ? APALU_F_NEG : APALU_F_POS;
    return;
  }
  if (e >= -86 && e <= 167) {
    float sc = apalu_pow2(e - 40);
    apalu_acc_add_df(acc, vec2(r * sc, rest.x * sc));
    return;
  }
  apalu_acc_add_df(acc, vec2(uintBitsToFloat(apalu_pack(vec2(r, 0.0), e - 40)), uintBitsToFloat(apalu_pack(rest, e - 40))));
}
void apalu_acc_special(inout ApaluAcc acc, uint bits) {
  if ((bits & 0x7fffffffu) > APALU_INF) { acc.f |= APALU_F_NAN; }
  else { acc.f |= bits >= APALU_SIGN ? APALU_F_NEG : APALU_F_POS; }
}
uint apalu_acc_result(ApaluAcc acc) {
  if ((acc.f & APALU_F_NAN) != 0u || (acc.f & (APALU_F_POS | APALU_F_NEG)) == (APALU_F_POS | APALU_F_NEG)) { return APALU_QNAN; }
  if ((acc.f & APALU_F_POS) != 0u) { return APALU_INF; }
  if ((acc.f & APALU_F_NEG) != 0u) { return APALU_SIGN | APALU_INF; }
  if ((floatBitsToUint(acc.t.x) & 0x7fffffffu) == 0u) { return apalu_pack(acc.s, 40); }
  if (((floatBitsToUint(acc.s.x) >> 23u) & 0xffu) < 67u) {
    vec2 up = vec2(uintBitsToFloat(apalu_pack(vec2(acc.s.x, 0.0), 140)), uintBitsToFloat(apalu_pack(vec2(acc.s.y, 0.0), 140)));
    return apalu_pack(apalu_df_add(acc.t, up), -100);
  }
  return apalu_pack(vec2(acc.s.x, acc.s.y + uintBitsToFloat(apalu_pack(acc.t, -140))), 40);
}
`;

/** The parts of a reduction program's GLSL: functions before main(), then main()'s lines before, inside and after its loop. */
interface Stage {
  helpers: string;
  before: string;
  each: string;
  after: string;
}

/**
 * Stage 1: one fragment per (channel, chunk) runs `each` for the CHUNK elements i of channel c
 * in that chunk and writes the chunk's da and db parts as one packed texel. Logical shape
 * [channels, 2·chunks, 2]: texel (c, 2g, 0) is chunk g's 2×2 block — the layout stage 2 reads,
 * the same for both precisions.
 */
const partialProgram = (channels: number, chunks: number, stage: Stage): WebGlProgram => ({
  variableNames: ['dy', 'x'],
  outputShape: [channels, 2 * chunks, 2],
  packedInputs: false,
  packedOutput: true,
  enableShapeUniforms: true,
  customUniforms: [...UNIFORMS, { name: 'perChannel', type: 'int' }],
  userCode: `${stage.helpers}
void main() {
  ivec3 o = getOutputCoords();
  int c = o.x;
  int start = (o.y / 2) * ${CHUNK};
  int end = min(start + ${CHUNK}, perChannel);
${stage.before}
  for (int e = start; e < end; e++) {
    int m = e / inner;
    int i = (c + channels * m) * inner + (e - m * inner);
${stage.each}
  }
${stage.after}
}`,
});

/** Stage 2: one fragment per channel c runs `each` on that channel's partial texels p (chunk g), in order; `which` picks da (0) or db (1). */
const finalProgram = (channels: number, stage: Stage): WebGlProgram => ({
  variableNames: ['partials'],
  outputShape: [channels],
  packedInputs: true,
  packedOutput: false,
  enableShapeUniforms: true,
  customUniforms: [...UNIFORMS, { name: 'chunks', type: 'int' }, { name: 'which', type: 'int' }],
  userCode: `${stage.helpers}
void main() {
  int c = getOutputCoords();
${stage.before}
  for (int g = 0; g < chunks; g++) {
    vec4 p = getPartials(c, 2 * g, 0);
${stage.each}
  }
${stage.after}
}`,
});

/**
 * Strict stage 1: the chunk's terms go into the da and db accumulators, written as
 * vec4(s_a, t_a, s_b, t_b), each s (its double-float rounded once: 2^-24 of that chunk's sum,
 * far inside the strict 1e-6) and t rounded to one float, set flags as NaN/±∞ in the t word instead.
 */
const STRICT_PARTIAL: Stage = {
  helpers: `${GLSL_APALU_MATH}
${GLSL_ACC}
vec2 apalu_acc_words(ApaluAcc acc) {
  float t = acc.f != 0u ? uintBitsToFloat(apalu_acc_result(acc)) : uintBitsToFloat(apalu_pack(acc.t, 0));
  return vec2(apalu_opaque(acc.s.x + acc.s.y), t);
}`,
  before: `  ApaluAcc accA = ApaluAcc(vec2(0.0), vec2(0.0), 0u);
  ApaluAcc accB = ApaluAcc(vec2(0.0), vec2(0.0), 0u);`,
  each: `    uint xb = ${bits('getX(i)')};
    uint ax = xb & 0x7fffffffu;
    if (ax > APALU_INF) { accA.f |= APALU_F_NAN; accB.f |= APALU_F_NAN; continue; }
    int which = (xb < APALU_SIGN || ax == 0u) ? 0 : 1;
    vec2 v; int ex; uint special;
    int kind = apalu_term(which, xb, ${bits('getDy(i)')}, v, ex, special);
    if (kind == 1) { continue; }
    // One call site per accumulator kind (GLSL has no ?: on structs; a copy costs as much).
    ApaluAcc acc;
    if (which == 0) { acc = accA; } else { acc = accB; }
    if (kind == 0) { apalu_acc_add(acc, v, ex); } else { apalu_acc_special(acc, special); }
    if (which == 0) { accA = acc; } else { accB = acc; }`,
  after: '  setOutput(vec4(apalu_acc_words(accA), apalu_acc_words(accB)));',
};

/** Strict stage 2: the channel's partial sums merged in order into one accumulator. */
const STRICT_FINAL: Stage = {
  helpers: `${GLSL_APALU_MATH}
${GLSL_ACC}`,
  before: '  ApaluAcc acc = ApaluAcc(vec2(0.0), vec2(0.0), 0u);',
  each: `    vec2 w = which == 0 ? p.xy : p.zw;
    uint tb = ${bits('w.y')};
    if ((tb & 0x7fffffffu) >= APALU_INF) { apalu_acc_special(acc, tb); continue; }
    acc.t = apalu_df_add(acc.t, vec2(w.y, 0.0));
    apalu_acc_add_df(acc, vec2(w.x, 0.0));`,
  after: '  setOutput(uintBitsToFloat(apalu_acc_result(acc)));',
};

/** precision 'fast', stage 1: the chunk's da and db terms in float32 with Neumaier's compensation; vec4(da part, 0, db part, 0). */
const FAST_PARTIAL: Stage = {
  helpers: `${GLSL_APALU_MATH}
${GLSL_APALU_FAST}
vec2 apalu_neumaier(vec2 s, float v) {
  float t = apalu_opaque(s.x + v);
  float lost = abs(s.x) >= abs(v) ? (s.x - t) + v : (v - t) + s.x;
  return vec2(t, s.y + lost);
}`,
  before: `  vec2 sa = vec2(0.0);
  vec2 sb = vec2(0.0);`,
  each: `    float x = getX(i);
    float g = getDy(i);
    vec2 t = apalu_fast_terms(x, g);
    sa = apalu_neumaier(sa, t.x);
    sb = apalu_neumaier(sb, t.y);`,
  after: `  // Non-finite sums keep the main part (the compensation is NaN there).
  float ra = isinf(sa.x) || isnan(sa.x) ? sa.x : sa.x + sa.y;
  float rb = isinf(sb.x) || isnan(sb.x) ? sb.x : sb.x + sb.y;
  setOutput(vec4(ra, 0.0, rb, 0.0));`,
};

/** precision 'fast', stage 2: the chunks of one channel, in order, with Neumaier's compensation. */
const FAST_FINAL: Stage = {
  helpers: GLSL_APALU_MATH,
  before: '  vec2 s = vec2(0.0);',
  each: `    float v = which == 0 ? p.x : p.z;
    float t = apalu_opaque(s.x + v);
    s = vec2(t, s.y + (abs(s.x) >= abs(v) ? (s.x - t) + v : (v - t) + s.x));`,
  after: '  setOutput(isinf(s.x) || isnan(s.x) ? s.x : s.x + s.y);',
};

/** Whether the webgl backend runs WebGL2 (GLSL ES 3.00: floatBitsToUint, uint): the kernels need it. */
export function webglKernelUsable(): boolean {
  try {
    return env().getNumber('WEBGL_VERSION') === 2;
  } catch {
    // The flag is registered by tfjs-backend-webgl: without it there is no webgl backend.
    return false;
  }
}

function checkWebGl2(): void {
  if (!webglKernelUsable()) {
    throw new ApaluEnvironmentError('E_BACKEND', `the Apalu webgl kernels need WebGL2 (this tfjs webgl backend does not run WebGL2); use path 'composed'.`);
  }
}

/** f(x) on the webgl backend: one program. */
const isFast = (attrs: unknown) => (attrs as { precision?: string } | undefined)?.precision === 'fast';

const apaluWebGl: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, a, b } = inputs as { x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const { channels, inner } = kernelLayout(x, a, b);
  checkWebGl2();
  const gl = backend as unknown as WebGlBackend;
  const n = sizeOf(x.shape);
  const flats = [x, a, b].map((t) => flat(gl, t));
  const out = gl.runWebGLProgram(elementwiseProgram('forward', n, isFast(attrs)), flats, 'float32', [[0], [channels], [inner]]);
  for (const t of flats) gl.disposeIntermediateTensorInfo(t);
  return { ...out, shape: [...x.shape] };
};

/**
 * dx in one program, then da and db in two deterministic stages: each fragment sums CHUNK
 * elements of one channel into double-float accumulators, and one fragment per channel
 * merges that channel's partial sums in order.
 */
const apaluGradWebGl: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, a, b } = inputs as { dy: TensorInfo; x: TensorInfo; a: TensorInfo; b: TensorInfo };
  const { channels, inner } = kernelLayout(x, a, b);
  checkWebGl2();
  const gl = backend as unknown as WebGlBackend;
  const n = sizeOf(x.shape);
  const perChannel = n / channels;
  const chunks = Math.max(1, Math.ceil(perChannel / CHUNK));
  const [fdy, fx, fa, fb] = [dy, x, a, b].map((t) => flat(gl, t)) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  const layout = [[0], [channels], [inner]];
  const fast = isFast(attrs);
  const dx = gl.runWebGLProgram(elementwiseProgram('dx', n, fast), [fdy, fx, fa, fb], 'float32', layout);
  // Kept packed (the final program reads it packed) even where tfjs unpacks outputs eagerly.
  const partials = gl.runWebGLProgram(partialProgram(channels, chunks, fast ? FAST_PARTIAL : STRICT_PARTIAL), [fdy, fx], 'float32', [...layout, [perChannel]], true);
  const final = fast ? FAST_FINAL : STRICT_FINAL;
  const da = gl.runWebGLProgram(finalProgram(channels, final), [partials], 'float32', [...layout, [chunks], [0]]);
  const db = gl.runWebGLProgram(finalProgram(channels, final), [partials], 'float32', [...layout, [chunks], [1]]);
  for (const t of [fdy, fx, fa, fb, partials]) gl.disposeIntermediateTensorInfo(t);
  return [
    { ...dx, shape: [...x.shape] },
    { ...da, shape: [...a.shape] },
    { ...db, shape: [...b.shape] },
  ];
};

export const webglKernels: KernelConfig[] = [
  { kernelName: APALU_KERNEL, backendName: 'webgl', kernelFunc: apaluWebGl },
  { kernelName: APALU_GRAD_KERNEL, backendName: 'webgl', kernelFunc: apaluGradWebGl },
];

/** x values of the accuracy probe: both branches, x just below 0 (where a plain expm1 cancels), subnormals. */
const PROBE_X = [-1e-41, 1e-41, -3e-8, -1e-7, -3.5e-4, -0.02, -0.7, -1, -10, -90, 0, 1e-7, 0.3, 1, 2, 10, 30, 60];
const PROBE_A = 1.3;
const PROBE_B = 0.7;

/** How many float32 steps lie between two float32 values (both finite). */
function ulps(got: number, want: number): number {
  if (Object.is(got, want)) return 0;
  const view = new DataView(new ArrayBuffer(4));
  const ordered = (v: number) => {
    view.setFloat32(0, v);
    const i = view.getInt32(0);
    return i < 0 ? -(i & 0x7fffffff) : i;
  };
  return Math.abs(ordered(got) - ordered(want));
}

/**
 * Whether the webgl kernels reach the strict class here: runs them on a few inputs and
 * compares f, dy·∂f/∂x (≤ 2 float32 ULP) and da, db (relative 1e-6) with float64 references.
 * The GLSL is exact only where `highp float` is IEEE float32 with correctly rounded + − × and
 * textures keep float32 bits (subnormals included); float16 textures, or a GPU whose highp is
 * not IEEE, fail it. `run` computes [f, dx, da, db] with the kernels on the webgl backend.
 */
export function probeStrict(run: (x: Float32Array, dy: Float32Array, a: number, b: number) => Float32Array[]): boolean {
  const x = Float32Array.from(PROBE_X);
  const dy = Float32Array.from(PROBE_X, (_, i) => (i % 2 === 0 ? 1.25 : -0.75));
  let out: Float32Array[];
  try {
    out = run(x, dy, PROBE_A, PROBE_B);
  } catch {
    return false;
  }
  const [f, dx, da, db] = out as [Float32Array, Float32Array, Float32Array, Float32Array];
  let sa = 0;
  let sb = 0;
  let absA = 0;
  let absB = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    const gi = dy[i] as number;
    const g = apaluGrad(xi, PROBE_A, PROBE_B);
    if (ulps(f[i] as number, Math.fround(apalu(xi, PROBE_A, PROBE_B))) > 2) return false;
    if (ulps(dx[i] as number, Math.fround(gi * g.dx)) > 2) return false;
    sa += gi * g.da;
    sb += gi * g.db;
    absA += Math.abs(gi * g.da);
    absB += Math.abs(gi * g.db);
  }
  return Math.abs((da[0] as number) - sa) <= 1e-6 * absA && Math.abs((db[0] as number) - sb) <= 1e-6 * absB;
}
