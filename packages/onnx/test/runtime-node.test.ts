/**
 * What onnxruntime-node does with the function: it inlines ai.apalu.Apalu into standard ops and,
 * for the quickgelu formulations, fuses x·Sigmoid(1.702·x) into com.microsoft.QuickGelu.
 * Read from the optimized model ORT writes (onnxruntime-web cannot write one).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apaluModel, formulations, onnx } from '../src/index.js';

async function loadOrtNode(): Promise<typeof import('onnxruntime-node') | string> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    if (process.env.CI) throw error; // in CI a runtime that does not load is a failure
    return `onnxruntime-node did not load: ${String(error)}`;
  }
}

describe('onnxruntime-node optimizes the APALU function', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apalu-onnx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.for(formulations)('%s: inlined into standard ops (QuickGelu fused where the formulation allows it)', async (formulation, ctx) => {
    const ort = await loadOrtNode();
    if (typeof ort === 'string') {
      console.warn(`skipping: ${ort}`);
      ctx.skip();
      return;
    }
    const path = join(dir, `${formulation}.onnx`);
    await ort.InferenceSession.create(apaluModel({ a: [1, 2], b: [0.5, 1], formulation }), { optimizedModelFilePath: path, graphOptimizationLevel: 'extended' });
    const ops = onnx.ModelProto.decode(readFileSync(path)).graph!.node!.map((n) => (n.domain ? `${n.domain}.` : '') + n.opType);
    expect(ops.some((op) => op.startsWith('ai.apalu.'))).toBe(false);
    expect(ops.includes('com.microsoft.QuickGelu')).toBe(formulation.includes('quickgelu'));
  });
});
