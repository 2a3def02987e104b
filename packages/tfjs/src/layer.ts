/** The Apalu tfjs-layers layer: trainable per-channel a and b kept above a floor, serialisable, registered with tfjs. */
import { ApaluInputError, uniform } from '@apalu/core';
import * as tf from '@tensorflow/tfjs-core';
import { layers, type LayerVariable, type Shape, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { precisionCode } from '@apalu/wasm';
import { checkSameTfjs } from './foreign.js';
import { apalu, type Precision } from './op.js';
import { registerApaluKernels } from './register.js';
import {
  ApaluInitializer,
  type Constraint,
  type ConstraintIdentifier,
  type Initializer,
  type InitializerIdentifier,
  type Regularizer,
  type RegularizerIdentifier,
  resolve,
  serialize,
} from './serializable.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;

export interface ApaluLayerArgs extends LayerArgs {
  /** Initial a (default: the paper's uniform(0, 2), seed 0). Any tfjs initializer or an @apalu/core one. */
  aInitializer?: InitializerIdentifier;
  /** Initial b (default: uniform(0, 2), seed 1). */
  bInitializer?: InitializerIdentifier;
  aRegularizer?: RegularizerIdentifier | null;
  bRegularizer?: RegularizerIdentifier | null;
  /** Applied after every write to a, during `fit` too (stock tfjs layers skip constraints there). */
  aConstraint?: ConstraintIdentifier | null;
  bConstraint?: ConstraintIdentifier | null;
  /** Axes (1-based like tf.layers.prelu: 0 is the batch) along which a and b are shared. */
  sharedAxes?: number | number[] | null;
  /** Floor every write to a and b is clamped to, so both stay > 0 in training (default 1e-3). */
  minParam?: number;
  /** 'strict' (default) or 'fast' (the wasm and cpu kernels' float32 loops, composed class); see ApaluOptions. */
  precision?: Precision;
}

export const DEFAULT_MIN_PARAM = 1e-3;
const MIN_NORMAL_FLOAT32 = 2 ** -126;
const FLOAT32_MAX = 3.4028234663852886e38;

/** What the guards of one layer's a and b share: the layer's name and each weight's write count. */
interface GuardState {
  layer: () => string;
  writes: Record<'a' | 'b', number>;
  /** The value of each weight before its latest write (kept, to undo a half-done step). */
  previous: Partial<Record<'a' | 'b', tf.Tensor>>;
  /** A non-finite write found after the fact (backends that cannot read synchronously); thrown at the next write. */
  pending: ApaluInputError | null;
  /** Each weight's own assign (no guard). */
  assigns: Partial<Record<'a' | 'b', (value: tf.Tensor) => void>>;
}

/** Whether every value is finite; undefined where the backend cannot read synchronously (webgpu in Node). */
function allFinite(t: tf.Tensor): boolean | undefined {
  const flag = tf.tidy(() => tf.all(tf.isFinite(t)));
  try {
    return flag.dataSync()[0] === 1;
  } catch {
    return undefined;
  } finally {
    flag.dispose();
  }
}

function divergedError(state: GuardState, name: 'a' | 'b', step: number, detail: string): ApaluInputError {
  return new ApaluInputError(
    'E_DIVERGED',
    `Apalu layer '${state.layer()}': training step ${step} (update ${step} of its weight ${name}) would make ${detail}, so it was not applied: ` +
      `a and b keep their values from before that step and training stops. Likely cause: the learning rate is too high or the gradients explode; ` +
      'lower the learning rate, clip gradients (the optimizer\'s clipNorm or clipValue) or check the data for NaN and ∞.',
  );
}

/**
 * Floors the variable's initial value and makes every later write (optimizer steps, setWeights,
 * loading) apply the user's constraint and then the floor. tfjs optimizers write variables with
 * `assign`, bypassing layer constraints, so the guarantee a, b > 0 has to live on the variable
 * itself. (The LayerVariable gets no constraint of its own: its `write` would apply it again
 * after this assign, three times in all.) The initial value is floored but not constrained,
 * as tfjs leaves PReLU's alpha: a model saved before training then loads the same values.
 *
 * A write that would leave a non-finite value (the floor does not catch ∞ or NaN) is refused
 * with E_DIVERGED naming the layer and the step: a and b keep their values from before that
 * step (a's half of a step whose b fails is undone), and the error stops `fit`. Where the
 * backend cannot read synchronously, the write keeps the old values instead and the next write
 * throws.
 */
function keepAbove(state: GuardState, name: 'a' | 'b', variable: LayerVariable, floor: number, constraint: Constraint | null): void {
  const v = variable.read() as tf.Variable;
  const assign = v.assign.bind(v);
  const initial = tf.tidy(() => tf.maximum(v, floor));
  assign(initial);
  initial.dispose();
  state.assigns[name] = assign;
  v.assign = (value: tf.Tensor) => {
    if (state.pending !== null) {
      const error = state.pending;
      state.pending = null;
      throw error;
    }
    const step = state.writes[name] + 1;
    const bounded = tf.tidy(() => tf.maximum(constraint === null ? value : constraint.apply(value), floor));
    const finite = allFinite(bounded);
    if (finite === false) {
      const values = bounded.dataSync();
      bounded.dispose();
      const i = values.findIndex((x) => !Number.isFinite(x));
      // b fails after a took this step: a goes back to its value from before the step.
      const before = state.previous.a;
      if (name === 'b' && state.writes.a === state.writes.b + 1 && before !== undefined) {
        state.assigns.a?.(before);
        state.writes.a = state.writes.b;
      }
      throw divergedError(state, name, step, `${name}[${i}] = ${String(values[i])}`);
    }
    const previous = tf.keep(v.clone());
    state.writes[name] = step;
    if (finite === undefined) {
      // No synchronous read here: the old values stay wherever the new ones are not all finite, and the next write throws.
      const ok = tf.tidy(() => tf.all(tf.isFinite(bounded)));
      const kept = tf.tidy(() => tf.where(ok, bounded, previous));
      bounded.dispose();
      assign(kept);
      kept.dispose();
      void ok.data().then((flag) => {
        ok.dispose();
        if (flag[0] !== 1 && state.pending === null) state.pending = divergedError(state, name, step, `${name} non-finite (∞ or NaN; this step was skipped for ${name})`);
      });
    } else {
      assign(bounded);
      bounded.dispose();
    }
    // Only a's value from before the step is ever needed (to undo a when b fails); once b has
    // taken the same step the pair is complete and nothing is kept between steps.
    state.previous.a?.dispose();
    state.previous.a = undefined;
    if (name === 'a') state.previous.a = previous;
    else previous.dispose();
  };
}

function oneShape(inputShape: Shape | Shape[]): Shape {
  if (Array.isArray(inputShape[0]) || (inputShape.length > 0 && inputShape.every((d) => Array.isArray(d)))) {
    const shapes = inputShape as Shape[];
    if (shapes.length !== 1) throw new ApaluInputError('E_INPUTS', `Apalu takes one input, got ${shapes.length}.`);
    return shapes[0] as Shape;
  }
  return inputShape as Shape;
}

/**
 * The APALU activation as a tfjs layer, configured like tf.layers.prelu. Weights `a` and `b`
 * have PReLU's alpha shape (input shape without the batch axis, shared axes set to 1); the
 * class name 'Apalu', getConfig() and the weight order [a, b] are a stable contract
 * (@apalu/onnx exports models by reading them).
 */
export class Apalu extends layers.Layer {
  static className = 'Apalu';
  readonly aInitializer: Initializer | ApaluInitializer;
  readonly bInitializer: Initializer | ApaluInitializer;
  readonly aRegularizer: Regularizer | null;
  readonly bRegularizer: Regularizer | null;
  readonly aConstraint: Constraint | null;
  readonly bConstraint: Constraint | null;
  readonly sharedAxes: number[] | null;
  readonly minParam: number;
  readonly precision: Precision;
  private a: LayerVariable | null = null;
  private b: LayerVariable | null = null;
  /** The write guard of a and b (see keepAbove); holds a's value from before a half-done step. */
  private guard: GuardState | null = null;

  constructor(args: ApaluLayerArgs = {}) {
    super(args);
    registerApaluKernels();
    if (args.dtype !== undefined && args.dtype !== 'float32') {
      throw new ApaluInputError('E_TYPE', `dtype = '${String(args.dtype)}': the Apalu layer computes in float32; drop the dtype option.`);
    }
    this.supportsMasking = true;
    this.aInitializer = resolve('initializer', 'aInitializer', args.aInitializer ?? uniform(0, 2, 0));
    this.bInitializer = resolve('initializer', 'bInitializer', args.bInitializer ?? uniform(0, 2, 1));
    this.aRegularizer = resolve('regularizer', 'aRegularizer', args.aRegularizer);
    this.bRegularizer = resolve('regularizer', 'bRegularizer', args.bRegularizer);
    this.aConstraint = resolve('constraint', 'aConstraint', args.aConstraint);
    this.bConstraint = resolve('constraint', 'bConstraint', args.bConstraint);
    const shared = args.sharedAxes;
    if (shared === null || shared === undefined) this.sharedAxes = null;
    else {
      const axes = typeof shared === 'number' ? [shared] : shared;
      if (!Array.isArray(axes) || !axes.every((v) => Number.isInteger(v) && v >= 1)) {
        throw new ApaluInputError(
          'E_SHARED_AXES',
          `sharedAxes = ${JSON.stringify(shared)}: give an axis or a list of axes ≥ 1 (axis 0 is the batch), e.g. [1, 2] to share a and b across height and width of NHWC input.`,
        );
      }
      const twice = axes.find((v, i) => axes.indexOf(v) !== i);
      if (twice !== undefined) {
        throw new ApaluInputError(
          'E_SHARED_AXES',
          `sharedAxes = ${JSON.stringify(shared)} lists axis ${twice} more than once: list each axis once, e.g. ${JSON.stringify([...new Set(axes)])}.`,
        );
      }
      this.sharedAxes = [...axes];
    }
    const minParam = args.minParam ?? DEFAULT_MIN_PARAM;
    // Checked as the float32 the floor is applied in: 1e-46 would floor at 0, 1e39 at ∞.
    if (!(typeof minParam === 'number' && Math.fround(minParam) >= MIN_NORMAL_FLOAT32 && Math.fround(minParam) <= FLOAT32_MAX)) {
      throw new ApaluInputError(
        'E_CONFIG',
        `minParam = ${String(minParam)}: the floor for a and b must be a float32 in [2^-126 ≈ 1.18e-38, 3.4e38] (it is applied to float32 weights; default ${DEFAULT_MIN_PARAM}).`,
      );
    }
    this.minParam = minParam;
    precisionCode(args.precision);
    this.precision = args.precision ?? 'strict';
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = oneShape(inputShape);
    if (shape.length < 2) {
      throw new ApaluInputError('E_SHAPE', `input shape [${shape.join(', ')}]: Apalu needs a batch axis and at least one feature axis.`);
    }
    const paramShape = shape.slice(1);
    for (const axis of this.sharedAxes ?? []) {
      if (axis >= shape.length) {
        throw new ApaluInputError(
          'E_SHARED_AXES',
          `sharedAxes contains ${axis} but the input has rank ${shape.length} (axes 1..${shape.length - 1} besides the batch); ` +
            `for input shape [${shape.map((d) => d ?? 'null').join(', ')}] choose axes below ${shape.length}.`,
        );
      }
      paramShape[axis - 1] = 1;
    }
    const axes: Record<number, number> = {};
    paramShape.forEach((d, i) => {
      if (d === null) {
        throw new ApaluInputError(
          'E_SHAPE',
          `input axis ${i + 1} has unknown size: a and b need every non-shared axis known; give the size or add ${i + 1} to sharedAxes.`,
        );
      }
      if (d !== 1 || shape[i + 1] === 1) axes[i + 1] = shape[i + 1] as number;
    });
    const params = paramShape as number[];
    // Checked on a separate draw: while tfjs loads a model it builds with zeros (fast weight
    // init) and writes the saved values afterwards, so the variables are not the place to look.
    for (const [name, init] of [['a', this.aInitializer], ['b', this.bInitializer]] as const) {
      const values = tf.tidy(() => (init as Initializer).apply(params, 'float32').dataSync());
      const bad = values.findIndex((x) => !(Number.isFinite(x) && x > 0));
      if (bad >= 0) {
        throw new ApaluInputError(
          'E_PARAM',
          `${name}Initializer gave ${name}[${bad}] = ${String(values[bad])}: APALU needs a and b finite and > 0; ` +
            `use a positive initializer such as uniform(0, 2) (the default) or 'ones'.`,
        );
      }
    }
    this.a = this.addWeight('a', params, 'float32', this.aInitializer as Initializer, this.aRegularizer ?? undefined, true);
    this.b = this.addWeight('b', params, 'float32', this.bInitializer as Initializer, this.bRegularizer ?? undefined, true);
    const state: GuardState = { layer: () => this.name, writes: { a: 0, b: 0 }, previous: {}, pending: null, assigns: {} };
    this.guard = state;
    keepAbove(state, 'a', this.a, this.minParam, this.aConstraint);
    keepAbove(state, 'b', this.b, this.minParam, this.bConstraint);
    this.inputSpec = [{ ndim: shape.length, axes }];
    this.built = true;
  }

  override dispose() {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0) {
      this.guard?.previous.a?.dispose();
      if (this.guard) this.guard.previous = {};
    }
    return result;
  }

  override apply(inputs: tf.Tensor | tf.Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs?: Record<string, unknown>) {
    for (const t of Array.isArray(inputs) ? inputs : [inputs]) {
      checkSameTfjs(`${this.name}'s input`, t, SymbolicTensor);
      if (t.dtype !== 'float32') {
        throw new ApaluInputError('E_TYPE', `${this.name} got a ${t.dtype} input: Apalu is defined on float32; cast the input (tf.cast(x, 'float32')) or give the input layer dtype 'float32'.`);
      }
    }
    return super.apply(inputs, kwargs);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x === undefined || this.a === null || this.b === null) throw new Error('Apalu: call() before build().');
      return apalu(x, this.a.read(), this.b.read(), { precision: this.precision });
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      aInitializer: serialize(this.aInitializer),
      bInitializer: serialize(this.bInitializer),
      aRegularizer: serialize(this.aRegularizer),
      bRegularizer: serialize(this.bRegularizer),
      aConstraint: serialize(this.aConstraint),
      bConstraint: serialize(this.bConstraint),
      sharedAxes: this.sharedAxes,
      minParam: this.minParam,
      precision: this.precision,
      ...super.getConfig(),
    } as unknown as tf.serialization.ConfigDict;
  }
}
tf.serialization.registerClass(Apalu);

/** Factory in the style of tf.layers.prelu: `model.add(apaluLayer({ sharedAxes: [1, 2] }))`. */
export function apaluLayer(args?: ApaluLayerArgs): Apalu {
  return new Apalu(args);
}

/**
 * Registers everything a saved model needs — the Apalu layer class, the ApaluInitializer and
 * the kernels — with tfjs. Call it before `tf.loadLayersModel` when nothing else from this
 * package is used first (bundlers may drop a module's top-level registration otherwise).
 */
export function registerApalu(): void {
  registerApaluKernels();
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  if (known[Apalu.className] === undefined) tf.serialization.registerClass(Apalu);
  if (known[ApaluInitializer.className] === undefined) tf.serialization.registerClass(ApaluInitializer);
}
