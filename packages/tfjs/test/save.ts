import type { LayersModel } from '@tensorflow/tfjs-layers';
import { tf } from './tf.js';

/** Saves a model to memory with tf.io.withSaveHandler and returns a handler that loads it back. */
export async function saveToMemory(m: LayersModel) {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (artifacts === undefined) throw new Error('nothing saved');
  const saved = artifacts;
  return { artifacts: saved, handler: tf.io.fromMemory(saved) };
}
