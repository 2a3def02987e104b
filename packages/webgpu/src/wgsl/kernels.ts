/** The WGSL compute shaders: the forward kernel and the two backward kernels (dx with per-workgroup partial sums, then the final da, db). */
import { WGSL_APALU_MATH } from './math.js';

/** Elements per load: 4 reads vec4<u32> (16-byte aligned rows), 1 reads scalars (any layout, tails). */
export type VectorWidth = 1 | 4;

/** Invocations per workgroup of the forward kernel (≤ 128 keeps the GL compatibility route open). */
export const FORWARD_WORKGROUP = 64;
/** Invocations per workgroup of both backward kernels; also the reduction tree's width. */
export const REDUCE_WORKGROUP = 128;
/** Loads per invocation in the backward partial-sum kernel. */
export const BACKWARD_ROWS = 8;

/**
 * A fixed-order tree over the workgroup's accumulators (deterministic, no atomics); the
 * total ends in red_s[0] / red_f[0]. Must be called from uniform control flow.
 */
const REDUCE_SNIPPET = `var<workgroup> red_s: array<vec4<f32>, ${REDUCE_WORKGROUP}>;
var<workgroup> red_t: array<vec4<f32>, ${REDUCE_WORKGROUP}>;
var<workgroup> red_f: array<u32, ${REDUCE_WORKGROUP}>;

fn store_pair(lane: u32, acc_a: ApaluAcc, acc_b: ApaluAcc) {
  red_s[lane] = vec4<f32>(acc_a.s, acc_b.s);
  red_t[lane] = vec4<f32>(acc_a.t, acc_b.t);
  red_f[lane] = acc_a.f | (acc_b.f << 4u);
}
fn load_a(lane: u32) -> ApaluAcc { return ApaluAcc(red_s[lane].xy, red_t[lane].xy, red_f[lane] & 15u); }
fn load_b(lane: u32) -> ApaluAcc { return ApaluAcc(red_s[lane].zw, red_t[lane].zw, red_f[lane] >> 4u); }

fn reduce_workgroup(lane: u32, acc_a: ApaluAcc, acc_b: ApaluAcc) {
  store_pair(lane, acc_a, acc_b);
  workgroupBarrier();
  for (var span = ${REDUCE_WORKGROUP / 2}u; span > 0u; span = span >> 1u) {
    if (lane < span) {
      var ma = load_a(lane);
      var mb = load_b(lane);
      apalu_acc_merge(&ma, load_a(lane + span));
      apalu_acc_merge(&mb, load_b(lane + span));
      store_pair(lane, ma, mb);
    }
    workgroupBarrier();
  }
}
`;

function elementType(width: VectorWidth): string {
  return width === 4 ? 'vec4<u32>' : 'u32';
}

/** Linear workgroup index over a 2-D grid (dispatches beyond 65,535 workgroups per dimension). */
const LINEAR_WORKGROUP = 'wid.x + wid.y * nwg.x';

/**
 * f(x) element-wise. Bindings (group 0): 0 x, 1 a, 2 b (read-only storage, float32 bits),
 * 3 y (read-write storage), 4 uniform { count, inner, channels, base }. Invocation v handles
 * `width` elements starting at element base + v·width; element i uses channel (i / inner) % channels.
 */
export function forwardShader(width: VectorWidth): string {
  const E = elementType(width);
  const body =
    width === 4
      ? `  let xv = x[v];
  var out: vec4<u32>;
  for (var j = 0u; j < 4u; j++) { let c = channel(e0 + j); out[j] = apalu_forward(xv[j], a[c], b[c]); }
  y[v] = out;`
      : `  let c = channel(e0);
  y[e0] = apalu_forward(x[e0], a[c], b[c]);`;
  return `${WGSL_APALU_MATH}
struct ForwardParams { count: u32, inner: u32, channels: u32, base: u32 }
@group(0) @binding(0) var<storage, read> x: array<${E}>;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<storage, read_write> y: array<${E}>;
@group(0) @binding(4) var<uniform> params: ForwardParams;

fn channel(i: u32) -> u32 {
  if (params.channels == 1u) { return 0u; }
  return (i / params.inner) % params.channels;
}

@compute @workgroup_size(${FORWARD_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  apalu_zero = nwg.z - 1u;
  let v = (${LINEAR_WORKGROUP}) * ${FORWARD_WORKGROUP}u + lid;
  if (v >= params.count) { return; }
  let e0 = params.base + v * ${width}u;
${body}
}
`;
}

/**
 * Backward, pass 1: dx for every element and one partial (da, db) per (channel, chunk).
 * Channel c's elements, in `width` units, are u ∈ [0, perChannel): row k = u / vinner,
 * column j = u % vinner, at index base + (k·channels + c)·vinner + j. Workgroup w handles
 * channel w / chunks, chunk w % chunks: BACKWARD_ROWS loads per invocation, then a fixed-order
 * tree reduction in workgroup memory (deterministic, no atomics). Partial p of channel c
 * is stored at (c·stride + pbase + chunk)·3 as three vec4<u32> of float32 bits:
 * (Σa.hi, Σa.lo, Σb.hi, Σb.lo) for terms ≥ 2^-100, the same for smaller terms scaled by 2^100,
 * then (flags a, flags b, 0, 0) with flags 1 NaN, 2 +∞, 4 −∞.
 * Bindings: 0 x, 1 dy, 2 a, 3 b (read-only), 4 dx, 5 partials (read-write), 6 uniform
 * { channels, vinner, perChannel, chunks, stride, pbase, base, _ }.
 */
export function backwardPartialShader(width: VectorWidth): string {
  const E = elementType(width);
  const body =
    width === 4
      ? `      let xv = x[i];
      let gv = dy[i];
      var out: vec4<u32>;
      // A loop, not four inlined copies: SwiftShader compiles the kernel several times faster.
      for (var j = 0u; j < 4u; j++) { out[j] = apalu_backward(xv[j], gv[j], ab, bb, &acc_a, &acc_b); }
      dx[i] = out;`
      : `      dx[i] = apalu_backward(x[i], dy[i], ab, bb, &acc_a, &acc_b);`;
  return `${WGSL_APALU_MATH}
struct PartialParams { channels: u32, vinner: u32, per_channel: u32, chunks: u32, stride: u32, pbase: u32, base: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> x: array<${E}>;
@group(0) @binding(1) var<storage, read> dy: array<${E}>;
@group(0) @binding(2) var<storage, read> a: array<u32>;
@group(0) @binding(3) var<storage, read> b: array<u32>;
@group(0) @binding(4) var<storage, read_write> dx: array<${E}>;
@group(0) @binding(5) var<storage, read_write> partials: array<vec4<u32>>;
@group(0) @binding(6) var<uniform> params: PartialParams;

${REDUCE_SNIPPET}
@compute @workgroup_size(${REDUCE_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  apalu_zero = nwg.z - 1u;
  let w = ${LINEAR_WORKGROUP};
  if (w >= params.channels * params.chunks) { return; }
  let c = w / params.chunks;
  let chunk = w % params.chunks;
  let ab = a[c];
  let bb = b[c];
  var acc_a = ApaluAcc(vec2<f32>(0.0, 0.0), vec2<f32>(0.0, 0.0), 0u);
  var acc_b = acc_a;
  for (var r = 0u; r < ${BACKWARD_ROWS}u; r++) {
    let u = (chunk * ${BACKWARD_ROWS}u + r) * ${REDUCE_WORKGROUP}u + lane;
    if (u < params.per_channel) {
      let k = u / params.vinner;
      let i = params.base + (k * params.channels + c) * params.vinner + (u - k * params.vinner);
${body}
    }
  }
  reduce_workgroup(lane, acc_a, acc_b);
  if (lane == 0u) {
    let p = (c * params.stride + params.pbase + chunk) * 3u;
    partials[p] = bitcast<vec4<u32>>(red_s[0]);
    partials[p + 1u] = bitcast<vec4<u32>>(red_t[0]);
    partials[p + 2u] = vec4<u32>(red_f[0] & 15u, red_f[0] >> 4u, 0u, 0u);
  }
}
`;
}

/**
 * Backward, pass 2: one workgroup per channel adds its `count` partials in a fixed order
 * (strided per invocation, then a tree) and writes da[c], db[c] as float32 bits.
 * Bindings: 0 partials (read-only), 1 da, 2 db (read-write), 3 uniform { channels, count, _, _ }.
 */
export function backwardFinalShader(): string {
  return `${WGSL_APALU_MATH}
struct FinalParams { channels: u32, count: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read> partials: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> da: array<u32>;
@group(0) @binding(2) var<storage, read_write> db: array<u32>;
@group(0) @binding(3) var<uniform> params: FinalParams;

${REDUCE_SNIPPET}
@compute @workgroup_size(${REDUCE_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  apalu_zero = nwg.z - 1u;
  let c = ${LINEAR_WORKGROUP};
  if (c >= params.channels) { return; }
  var acc_a = ApaluAcc(vec2<f32>(0.0, 0.0), vec2<f32>(0.0, 0.0), 0u);
  var acc_b = acc_a;
  for (var p = lane; p < params.count; p += ${REDUCE_WORKGROUP}u) {
    let at = (c * params.count + p) * 3u;
    let s = bitcast<vec4<f32>>(partials[at]);
    let t = bitcast<vec4<f32>>(partials[at + 1u]);
    let f = partials[at + 2u];
    apalu_acc_merge(&acc_a, ApaluAcc(s.xy, t.xy, f.x));
    apalu_acc_merge(&acc_b, ApaluAcc(s.zw, t.zw, f.y));
  }
  reduce_workgroup(lane, acc_a, acc_b);
  if (lane == 0u) {
    da[c] = apalu_acc_result(load_a(0u));
    db[c] = apalu_acc_result(load_b(0u));
  }
}
`;
}

/** Every WGSL source this package runs, for engines that build their own pipelines. */
export const WGSL_SOURCES = {
  forwardVec4: forwardShader(4),
  forwardScalar: forwardShader(1),
  backwardPartialVec4: backwardPartialShader(4),
  backwardPartialScalar: backwardPartialShader(1),
  backwardFinal: backwardFinalShader(),
} as const;
