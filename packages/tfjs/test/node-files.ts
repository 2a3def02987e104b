// The Node save/load route the README documents, verbatim: no tfjs-node, no helper package.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, loadLayersModel } from '@tensorflow/tfjs-layers';

export async function saveModel(model: LayersModel, dir: string) {
  await mkdir(dir, { recursive: true });
  return model.save(tf.io.withSaveHandler(async (artifacts) => {
    const { weightData, ...json } = artifacts;
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(weightData as ArrayBuffer));
    await writeFile(join(dir, 'model.json'), JSON.stringify({ ...json, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

export async function loadModel(dir: string): Promise<LayersModel> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const bin = await readFile(join(dir, 'weights.bin'));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return loadLayersModel(tf.io.fromMemory({ ...json, weightSpecs: json.weightsManifest[0].weights, weightData }));
}
