/** tfjs serialisation for the layer's options: @apalu/core initializers as ApaluInitializer, and resolving tfjs identifiers. */
import { ApaluInputError, constant, type ParamInitializer, uniform } from '@apalu/core';
import * as tf from '@tensorflow/tfjs-core';
import { constraints, initializers, regularizers } from '@tensorflow/tfjs-layers';

/** tfjs-layers exports these only as types; the factories' return types name them. */
export type Initializer = ReturnType<typeof initializers.ones>;
export type Regularizer = ReturnType<typeof regularizers.l1l2>;
export type Constraint = ReturnType<typeof constraints.nonNeg>;

/** A serialised tfjs object: `{ className, config }`, as `getConfig()` and model JSON hold it. */
export interface SerializedObject {
  className: string;
  config: tf.serialization.ConfigDict;
}

export type InitializerIdentifier = string | SerializedObject | Initializer | ParamInitializer;
export type RegularizerIdentifier = string | SerializedObject | Regularizer;
export type ConstraintIdentifier = string | SerializedObject | Constraint;

function sizeOf(shape: readonly (number | null)[]): number {
  let n = 1;
  for (const d of shape) n *= d ?? 0;
  return n;
}

/**
 * An @apalu/core initializer (uniform, constant) as a tfjs initializer, so it serialises in
 * model JSON as `{ className: 'ApaluInitializer', config: { name: 'uniform', min, max, seed } }`.
 */
export class ApaluInitializer extends tf.serialization.Serializable {
  static className = 'ApaluInitializer';
  readonly init: ParamInitializer;

  constructor(from: ParamInitializer | Readonly<Record<string, unknown>>) {
    super();
    if (typeof from === 'function') {
      this.init = from;
      return;
    }
    const name = from['name'];
    if (name === 'uniform') this.init = uniform(from['min'] as number, from['max'] as number, from['seed'] as number);
    else if (name === 'constant') this.init = constant(from['value'] as number);
    else {
      throw new ApaluInputError(
        'E_INITIALIZER',
        `ApaluInitializer config name = ${String(name)}: expected 'uniform' ({ min, max, seed }) or 'constant' ({ value }).`,
      );
    }
  }

  apply(shape: number[], dtype: tf.DataType = 'float32'): tf.Tensor {
    if (dtype !== 'float32') throw new ApaluInputError('E_TYPE', `dtype = ${dtype}: APALU parameters are float32.`);
    return tf.tensor(this.init(sizeOf(shape), 'float32'), shape, 'float32');
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.init.config };
  }
}
tf.serialization.registerClass(ApaluInitializer);

type Kind = 'initializer' | 'regularizer' | 'constraint';

// The abstract base classes are not exported by tfjs-layers; each built-in's parent is the base.
const bases: Record<Kind, () => unknown> = {
  initializer: () => Object.getPrototypeOf(initializers.zeros().constructor),
  regularizer: () => Object.getPrototypeOf(regularizers.l1l2().constructor),
  constraint: () => Object.getPrototypeOf(constraints.nonNeg().constructor),
};

const examples: Record<Kind, string> = {
  initializer: "'ones', tf.initializers.constant({ value: 1 }) or uniform(0, 2, seed) from @apalu/core",
  regularizer: "'l1l2' or tf.regularizers.l2({ l2: 1e-4 })",
  constraint: "'nonNeg' or tf.constraints.maxNorm({ maxValue: 2 })",
};

function isKind(kind: Kind, value: unknown): boolean {
  if (kind === 'initializer' && value instanceof ApaluInitializer) return true;
  const base = bases[kind]() as abstract new (...args: never[]) => unknown;
  return typeof base === 'function' && value instanceof base;
}

/** PascalCase class name of a tfjs string identifier ('glorotUniform' → 'GlorotUniform', 'l1l2' → 'L1L2'). */
function classNameOf(identifier: string): string {
  if (identifier.toLowerCase() === 'l1l2') return 'L1L2';
  return identifier.charAt(0).toUpperCase() + identifier.slice(1);
}

/**
 * Turns any identifier a tfjs layer accepts (a string, `{ className, config }`, an instance) —
 * and, for initializers, an @apalu/core initializer — into an instance; names the bad value otherwise.
 */
export function resolve(kind: 'initializer', option: string, id: InitializerIdentifier): Initializer | ApaluInitializer;
export function resolve(kind: 'regularizer', option: string, id: RegularizerIdentifier | null | undefined): Regularizer | null;
export function resolve(kind: 'constraint', option: string, id: ConstraintIdentifier | null | undefined): Constraint | null;
export function resolve(kind: Kind, option: string, id: unknown): unknown {
  if (id === null || id === undefined) return null;
  let value: unknown = id;
  if (typeof id === 'function' && kind === 'initializer' && 'config' in id) value = new ApaluInitializer(id as ParamInitializer);
  else if (typeof id === 'string' || (typeof id === 'object' && typeof (id as SerializedObject).className === 'string' && !isKind(kind, id))) {
    const className = typeof id === 'string' ? classNameOf(id) : (id as SerializedObject).className;
    const known = tf.serialization.SerializationMap.getMap().classNameMap;
    // Own entries only: 'constructor', 'toString' or '__proto__' would otherwise find Object.prototype's.
    const entry = Object.hasOwn(known, className) ? known[className] : undefined;
    if (!Array.isArray(entry) || typeof entry[1] !== 'function') {
      throw new ApaluInputError('E_CONFIG', `${option} = ${JSON.stringify(id)}: no tfjs ${kind} is registered as '${className}'; use e.g. ${examples[kind]}.`);
    }
    const [cls, fromConfig] = entry;
    const config = typeof id === 'string' ? {} : ((id as SerializedObject).config ?? {});
    value = fromConfig(cls, config);
  }
  if (!isKind(kind, value)) {
    throw new ApaluInputError('E_CONFIG', `${option} = ${describe(id)} is not a tfjs ${kind}; use e.g. ${examples[kind]}.`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const name = (value as { getClassName?: () => string }).getClassName?.() ?? value.constructor?.name;
    return name ?? 'object';
  }
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** `{ className, config }` of an instance, or null; the form tfjs's own layers write. */
export function serialize(value: tf.serialization.Serializable | null): SerializedObject | null {
  if (value === null) return null;
  return { className: value.getClassName(), config: value.getConfig() };
}
