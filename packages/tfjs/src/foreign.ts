/** Rejects tensors of another copy of TensorFlow.js with an ApaluInputError that names the duplicate, instead of tfjs's internal failure. */
import { ApaluInputError } from '@apalu/core';
import * as tf from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';

/** Whether `value` looks like a tfjs Tensor or SymbolicTensor (of any copy of tfjs). */
function tensorLike(value: unknown): value is { shape: unknown; dtype: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return 'shape' in v && 'dtype' in v && ('dataId' in v || 'sourceLayer' in v);
}

/** The version a foreign tensor's copy of tfjs records on its class, if any. */
function versionOf(value: object): string | null {
  const ctor = (value as { constructor?: { version_core?: unknown; version?: unknown } }).constructor;
  const v = ctor?.version_core ?? ctor?.version;
  return typeof v === 'string' ? v : null;
}

/**
 * Throws an ApaluInputError when `value` is a tensor of another copy of TensorFlow.js than the
 * one this package imports — npm installs a second @tensorflow/tfjs-core (with its own
 * tfjs-layers) when versions disagree. Such a value is not a `tf.Tensor` here (tfjs-core's
 * `instanceof Tensor` accepts any copy's concrete tensors, which work across copies, so what
 * is left are tensors lacking its methods and another copy's `SymbolicTensor`); tfjs would
 * otherwise fail later with an internal message ("values passed to tensor(values) must be…").
 * `symbolic`: the layers API's SymbolicTensor class, accepted where a layer is being built.
 */
export function checkSameTfjs(name: string, value: unknown, symbolic?: abstract new (...args: never[]) => unknown): void {
  if (value instanceof tf.Tensor || (symbolic !== undefined && value instanceof symbolic)) return;
  if (!tensorLike(value)) return;
  const kind = 'sourceLayer' in value ? 'a SymbolicTensor' : 'a tensor';
  const theirs = versionOf(value);
  throw new ApaluInputError(
    'E_TFJS_COPY',
    `${name} is ${kind} from another copy of TensorFlow.js than the one @apalu/tfjs uses ` +
      `(ours: @tensorflow/tfjs-core ${tf.version_core}, @tensorflow/tfjs-layers ${version_layers}; ` +
      `the tensor's: ${theirs ?? 'not recorded on it'}). \`npm ls @tensorflow/tfjs-core @tensorflow/tfjs-layers\` lists every copy. ` +
      'Fix: give all @tensorflow/* packages one version (e.g. @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm both 4.22.0), then run `npm dedupe`.',
  );
}
