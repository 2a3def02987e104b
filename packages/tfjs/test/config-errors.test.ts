import { ApaluInputError } from '@apalu/core';
import { layers, models, sequential } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { Apalu } from '../src/node.js';
import { tf, use } from './tf.js';

/** Loads a model whose Apalu layer config has `extra` merged in, the way tf.loadLayersModel does. */
async function fromConfig(extra: Record<string, unknown>) {
  const m = sequential({ layers: [layers.dense({ units: 2, inputShape: [3] }), new Apalu()] });
  const topology = JSON.parse(JSON.stringify(m.toJSON(null, false))) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  const layer = topology.config.layers.find((l) => l.class_name === 'Apalu');
  Object.assign(layer?.config ?? {}, extra);
  return models.modelFromJSON({ modelTopology: topology } as never);
}

describe('config values tfjs would reject with an internal message', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'an initializer, regularizer or constraint className %s is an ApaluInputError naming it',
    async (className) => {
      await use('cpu');
      for (const option of ['aInitializer', 'bRegularizer', 'aConstraint']) {
        const load = fromConfig({ [option]: { className, config: {} } });
        await expect(load).rejects.toThrow(ApaluInputError);
        await expect(fromConfig({ [option]: { className, config: {} } })).rejects.toThrow(new RegExp(`${option} = .*no tfjs \\w+ is registered as '${className === '__proto__' ? 'Proto' : className}'`));
      }
    },
  );

  it.each([[[1, 1]], [[2, 1, 2]]])('duplicate sharedAxes %j are an ApaluInputError naming the axis and the fix', async (sharedAxes) => {
    await use('cpu');
    const build = () => {
      const m = sequential({ layers: [layers.conv2d({ filters: 2, kernelSize: 1, inputShape: [4, 4, 1] }), new Apalu({ sharedAxes })] });
      tf.dispose(m.predict(tf.zeros([1, 4, 4, 1])) as tf.Tensor);
    };
    expect(build).toThrow(ApaluInputError);
    expect(build).toThrow(/sharedAxes = \[.*\] lists axis \d more than once: list each axis once/);
  });
});
