/**
 * The conformance backend: APALU forward and backward as ONNX graphs run by onnxruntime-web.
 * x is viewed as [N, C, S] (S = layout.inner), a and b as [C, 1], so one session per pass serves
 * every length, channel count and layout.
 */
import { type ApaluBackend, type ApaluLayout, type ParamArray, APALU_K, ApaluInputError, float32Params, validateBackwardCall, validateForwardCall } from '@apalu/core';
import { largestCall } from './limits.js';
import { APALU_DOMAIN, APALU_OP, DEFAULT_FORMULATION, apaluFunction, apaluOpset } from './function.js';
import { type Formulation, sharedExpSigmoid } from './formulations.js';
import { attribute, encodeModel, floatTensor, floatValueInfo, int64Tensor, node, onnx, type NodeProto } from './proto.js';
import { type CreateSessionOptions, type InferenceSession, type OrtRuntime, createSession, loadRuntime } from './session.js';

export interface OnnxBackendOptions extends Pick<CreateSessionOptions, 'executionProviders' | 'numThreads' | 'runtime'> {
  /** Which body of the APALU function the forward pass uses (default 'shared-exp'). */
  formulation?: Formulation;
}

/**
 * Two graph shapes: channels-last data (S = 1) as [n, c] with a, b of shape [c] — the
 * broadcast along the last axis that onnxruntime's kernels vectorise (the [n, c, 1] form with
 * [c, 1] parameters ran ~10× slower) — and [n, c, s] with [c, 1] parameters otherwise.
 */
interface GraphShape {
  dims: string[];
  paramDims: (string | number)[];
  sumAxes: number[];
}
const CHANNELS_LAST: GraphShape = { dims: ['n', 'c'], paramDims: ['c'], sumAxes: [0] };
const CHANNELS_INNER: GraphShape = { dims: ['n', 'c', 's'], paramDims: ['c', 1], sumAxes: [0, 2] };
const shapeOf = (inner: number): GraphShape => (inner === 1 ? CHANNELS_LAST : CHANNELS_INNER);

function forwardModel(formulation: Formulation | undefined, shape: GraphShape): Uint8Array {
  return encodeModel({
    name: 'apalu_forward',
    nodes: [node(APALU_OP, { inputs: ['x', 'a', 'b'], outputs: ['y'], domain: APALU_DOMAIN })],
    inputs: [floatValueInfo('x', shape.dims), floatValueInfo('a', shape.paramDims), floatValueInfo('b', shape.paramDims)],
    outputs: [floatValueInfo('y', shape.dims)],
    functions: [apaluFunction(formulation)],
    opsets: [apaluOpset],
  });
}

/**
 * dx = dy·∂f/∂x in float32; da, db = per-channel sums of dy·∂f/∂a, dy·∂f/∂b with the terms
 * formed and summed in float64 (ReduceSum over every axis but the channel's), then rounded once.
 * Like @apalu/core, NaN inputs add NaN to both sums and x = ±0 belongs to the a side.
 */
function backwardModel(shape: GraphShape): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const D = onnx.TensorProto.DataType.DOUBLE;
  const n = (type: string, inputs: string[], output: string, attrs?: ReturnType<typeof attribute>[]): NodeProto =>
    node(type, { inputs, outputs: [output], ...(attrs ? { attributes: attrs } : {}) });
  const cast = (input: string, output: string, to: number): NodeProto => n('Cast', [input], output, [attribute('to', to)]);
  const nodes: NodeProto[] = [
    n('GreaterOrEqual', ['x', 'zero'], 'nonneg'),
    n('Less', ['x', 'zero'], 'negative'),
    n('Not', ['negative'], 'a_side'), // x ≥ 0 or NaN
    n('Not', ['nonneg'], 'b_side'), // x < 0 or NaN
    // One exponential for both sides: e^(−k·x) for x ≥ 0, e^x for x < 0, never above 1.
    ...sharedExpSigmoid('x'),
    // k·x·σ·(1 − σ) with 1 − σ = E·σ; x is capped where E has underflowed (x > 61) so ∞·0 never happens.
    n('Min', ['x', 'x_cap'], 'x_capped'),
    n('Mul', ['x_capped', 'k'], 'kx'),
    n('Mul', ['kx', 'E'], 'kxE'),
    // σ² as two Muls by σ, never Mul(sig, sig): onnxruntime-web 1.30's WebGPU provider computes
    // a Mul with the same tensor on both inputs wrongly in this graph (wrong ∂f/∂x for x > 0).
    n('Mul', ['kxE', 'sig'], 'kxEs'),
    n('Mul', ['kxEs', 'sig'], 'slope'),
    n('Add', ['one_plus_sig', 'slope'], 'dpos_unit'),
    cast('x', 'x64', D),
    cast('dy', 'dy64', D),
    n('Exp', ['x64'], 'ex64'),
    // dx = dy·∂f/∂x formed in float64, then rounded once: in float32, a·(1 + σ + …) overflows for
    // a near FLT_MAX (a = FLT_MAX, x = 3.75, dy = −0.0217 gave −∞; dy = 0 gave NaN), and b·e^x
    // loses its digits where e^x is subnormal (x < −87) while dy·b is huge.
    cast('a', 'a64', D),
    cast('b', 'b64', D),
    cast('dpos_unit', 'dpos_unit64', D),
    n('Mul', ['dy64', 'a64'], 'dya64'),
    n('Mul', ['dya64', 'dpos_unit64'], 'dpos64'),
    n('Mul', ['b64', 'ex64'], 'bex64'),
    n('Mul', ['dy64', 'bex64'], 'dneg64'),
    n('Where', ['nonneg', 'dpos64', 'dneg64'], 'dx64'),
    cast('dx64', 'dx', F),
    cast('one_plus_sig', 'ops64', D),
    n('Mul', ['x64', 'ops64'], 'dfda64'),
    n('Mul', ['dy64', 'dfda64'], 'ta64'),
    n('Where', ['a_side', 'ta64', 'zero64'], 'ta64_masked'),
    n('ReduceSum', ['ta64_masked', 'axes'], 'da64', [attribute('keepdims', 0)]),
    cast('da64', 'da', F),
    // expm1(x) in float64: e^x − 1 cancels for tiny |x| (x = −4e-41 would give 0), so below
    // |x| = 1e-5 the series x + x²/2 is used (relative error < 2e-11 on either side).
    n('Sub', ['ex64', 'one64'], 'em1_exp'),
    n('Mul', ['x64', 'x64'], 'x2_64'),
    n('Mul', ['x2_64', 'half64'], 'half_x2'),
    n('Add', ['x64', 'half_x2'], 'em1_series'),
    n('Abs', ['x64'], 'abs_x64'),
    n('Less', ['abs_x64', 'tiny64'], 'is_tiny'),
    n('Where', ['is_tiny', 'em1_series', 'em1_exp'], 'em1_64'),
    n('Mul', ['dy64', 'em1_64'], 'tb64'),
    n('Where', ['b_side', 'tb64', 'zero64'], 'tb64_masked'),
    n('ReduceSum', ['tb64_masked', 'axes'], 'db64', [attribute('keepdims', 0)]),
    cast('db64', 'db', F),
  ];
  return encodeModel({
    name: 'apalu_backward',
    nodes,
    inputs: [floatValueInfo('x', shape.dims), floatValueInfo('dy', shape.dims), floatValueInfo('a', shape.paramDims), floatValueInfo('b', shape.paramDims)],
    outputs: [floatValueInfo('dx', shape.dims), floatValueInfo('da', ['c']), floatValueInfo('db', ['c'])],
    initializers: [
      floatTensor('zero', [], [0]),
      floatTensor('one', [], [1]),
      floatTensor('k', [], [APALU_K]),
      floatTensor('minus_k', [], [-APALU_K]),
      floatTensor('x_cap', [], [100]),
      { name: 'zero64', dims: [], dataType: D, doubleData: [0] },
      { name: 'one64', dims: [], dataType: D, doubleData: [1] },
      { name: 'half64', dims: [], dataType: D, doubleData: [0.5] },
      { name: 'tiny64', dims: [], dataType: D, doubleData: [1e-5] },
      int64Tensor('axes', [shape.sumAxes.length], shape.sumAxes),
    ],
  });
}

/**
 * The backend's name says what runs the graph. Without `runtime` it is onnxruntime-web with the
 * first execution provider (default wasm). With `runtime` the package is read from the module's
 * `env.versions` (onnxruntime-node runs on its CPU provider unless told otherwise); a runtime
 * that reports neither is 'custom', and no provider is named when none was chosen.
 */
function backendName(options: OnnxBackendOptions, ort: OrtRuntime): string {
  const provider = options.executionProviders?.[0];
  const chosen = provider === undefined ? undefined : typeof provider === 'string' ? provider : provider.name;
  const body = options.formulation === undefined || options.formulation === DEFAULT_FORMULATION ? '' : `-${options.formulation}`;
  if (options.runtime === undefined) return `onnxruntime-web-${chosen ?? 'wasm'}${body}`;
  const versions = ort.env.versions;
  const runtime = versions?.node !== undefined ? 'node' : versions?.web !== undefined ? 'web' : 'custom';
  const providerName = chosen ?? (runtime === 'node' ? 'cpu' : undefined);
  return `onnxruntime-${runtime}${providerName === undefined ? '' : `-${providerName}`}${body}`;
}

/**
 * One onnxruntime operation at a time per runtime module: onnxruntime-web 1.30 fails calls that
 * overlap with another session's creation or run in the same wasm instance (four forward and four
 * backward calls of different layouts made at once on a new backend: one rejected with "Cannot
 * read properties of null" or "failed to call OrtRun(). ERROR_CODE: 0"). Its wasm build runs one
 * operation at a time anyway, so queueing costs no speed.
 */
const lanes = new WeakMap<object, Promise<unknown>>();
function exclusive<T>(ort: OrtRuntime, operation: () => Promise<T>): Promise<T> {
  const previous = lanes.get(ort) ?? Promise.resolve();
  const next = previous.then(operation, operation);
  lanes.set(
    ort,
    next.then(
      () => undefined,
      () => undefined,
    ),
  );
  return next;
}

/** The ApaluBackend of this package (composed accuracy class: a graph of ONNX Runtime's own ops). */
export async function createBackend(options: OnnxBackendOptions = {}): Promise<ApaluBackend> {
  const ort: OrtRuntime = await loadRuntime(options.runtime);
  const sessionOptions: CreateSessionOptions = { ...options, runtime: ort };
  if (sessionOptions.executionProviders === undefined && options.runtime === undefined) sessionOptions.executionProviders = ['wasm'];
  // One session per graph shape (channels-last or not), built on first use. A creation that
  // fails is forgotten, so the next call tries again instead of failing forever.
  const sessions = new Map<string, Promise<InferenceSession>>();
  const session = (kind: 'forward' | 'backward', shape: GraphShape) => {
    const key = `${kind}:${shape.dims.length}`;
    let pending = sessions.get(key);
    if (pending === undefined) {
      const created = exclusive(ort, () => createSession(kind === 'forward' ? forwardModel(options.formulation, shape) : backwardModel(shape), sessionOptions));
      created.catch(() => {
        if (sessions.get(key) === created) sessions.delete(key);
      });
      sessions.set(key, created);
      pending = created;
    }
    return pending;
  };
  const view = (length: number, channels: number, inner: number) =>
    inner === 1 ? [length / channels, channels] : [length / (channels * inner), channels, inner];
  const name = backendName(options, ort);
  const maxLength = largestCall(options, ort);
  /**
   * Everything a call needs, checked and copied before the call returns its promise (the SPEC.md
   * shipped in @apalu/core, call contract): x and dy are copied, so writing to or transferring
   * them after the call never changes its result; a and b are read as the float32 tensors the
   * session reads (a Float64Array holding 1e39 or 1e-50 passes as float64 but would run with ∞ or 0).
   */
  let disposed = false;
  const prepare = (pass: 'forward' | 'backward', x: unknown, a: ParamArray, b: ParamArray, layout: ApaluLayout | undefined, dy?: unknown) => {
    if (disposed) throw new ApaluInputError('E_DISPOSED', `the ${name} backend was disposed; create a new one with createBackend().`);
    // Float32Array x (and dy; a missing dy is E_TYPE), nothing detached or out of bounds, lengths and layout.
    if (pass === 'forward') validateForwardCall(x, a, b, layout);
    else validateBackwardCall(x, dy, a, b, layout);
    const { a: a32, b: b32 } = float32Params(a, b);
    const length = (x as Float32Array).length;
    if (maxLength !== undefined && length > maxLength[pass]) {
      throw new ApaluInputError(
        'E_TOO_LARGE',
        `x.length = ${length} is more than the ${name} backend's ${pass} pass can hold: ${maxLength[pass]} elements at most (onnxruntime-web's WebAssembly memory is 4 GiB at most and the ${pass} graph keeps several tensors of x's size in it); split x into calls of at most ${maxLength[pass]} elements (whole rows of C·S values each), or run on onnxruntime-node.`,
      );
    }
    // slice() copies exactly the view (a subarray, a SharedArrayBuffer or resizable-buffer view) into a plain buffer.
    return { x32: (x as Float32Array).slice(), dy32: dy === undefined ? undefined : (dy as Float32Array).slice(), a32, b32, inner: layout?.inner ?? 1 };
  };
  const params = (a32: Float32Array, b32: Float32Array, shape: GraphShape) => {
    const dims = shape.paramDims.map((d) => (d === 'c' ? a32.length : Number(d)));
    return { a: new ort.Tensor('float32', a32, dims), b: new ort.Tensor('float32', b32, dims) };
  };
  /** Calls accepted and not yet settled: dispose() waits for them before it releases the sessions they run on. */
  const inFlight = new Set<Promise<unknown>>();
  const accept = <T>(call: () => Promise<T>): Promise<T> => {
    // The async function runs synchronously up to its first await: the checks and the copies happen inside this call.
    const promise = call();
    inFlight.add(promise);
    const settled = () => inFlight.delete(promise);
    promise.then(settled, settled);
    return promise;
  };
  let disposing: Promise<void> | undefined;
  return {
    name,
    accuracy: 'composed',
    forward(x, a, b, layout) {
      return accept(async () => {
        const { x32, a32, b32, inner } = prepare('forward', x, a, b, layout);
        if (x32.length === 0) return new Float32Array(0);
        const shape = shapeOf(inner);
        const run = await session('forward', shape);
        const out = await exclusive(ort, () => run.run({ x: new ort.Tensor('float32', x32, view(x32.length, a32.length, inner)), ...params(a32, b32, shape) }));
        return out.y!.data as Float32Array;
      });
    },
    backward(x, dy, a, b, layout) {
      return accept(async () => {
        const { x32, dy32, a32, b32, inner } = prepare('backward', x, a, b, layout, dy);
        if (x32.length === 0) return { dx: new Float32Array(0), da: new Float32Array(a32.length), db: new Float32Array(a32.length) };
        const shape = shapeOf(inner);
        const dims = view(x32.length, a32.length, inner);
        const run = await session('backward', shape);
        const out = await exclusive(ort, () =>
          run.run({
            x: new ort.Tensor('float32', x32, dims),
            dy: new ort.Tensor('float32', dy32!, dims),
            ...params(a32, b32, shape),
          }),
        );
        return { dx: out.dx!.data as Float32Array, da: out.da!.data as Float32Array, db: out.db!.data as Float32Array };
      });
    },
    /**
     * Refuses new calls at once (E_DISPOSED), lets the accepted ones finish on their sessions, then
     * releases every session: releasing onnxruntime-web's session under a running call left the
     * main thread spinning forever. A second dispose() returns the first one's promise.
     */
    dispose() {
      disposing ??= (async () => {
        disposed = true;
        await Promise.allSettled([...inFlight]);
        const pending = [...sessions.values()];
        sessions.clear();
        // Every session that was created is released, even when another failed to create or release.
        const created = await Promise.allSettled(pending);
        const released = await Promise.allSettled(created.flatMap((r) => (r.status === 'fulfilled' ? [exclusive(ort, () => r.value.release())] : [])));
        const failed = released.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
      })();
      return disposing;
    },
  };
}
