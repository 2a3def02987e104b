import { type ApaluBackend, erf } from '@apalu/core';
import { checkClose } from '../check.js';
import type { BenchEntry, BenchMode, Family, RunOutput, SizedInput } from '../types.js';

type OnnxPackage = typeof import('@apalu/onnx');
type Session = Awaited<ReturnType<OnnxPackage['createSession']>>;

const PEERS = {
  Relu: { opset: 13, domain: '', f: (x: number) => Math.max(x, 0) },
  Elu: { opset: 13, domain: '', f: (x: number) => (x > 0 ? x : Math.expm1(x)) },
  // ONNX Gelu (opset 20, exact erf form); ORT fuses nothing here, it is one kernel.
  Gelu: { opset: 20, domain: '', f: (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2)) },
} as const;

/** A one-node model y = Op(x) over x of shape [n, c, s], the same view the APALU backend uses. */
function unaryModel(onnx: OnnxPackage['onnx'], op: keyof typeof PEERS, irVersion: number): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const tensor = (name: string) => ({ name, type: { tensorType: { elemType: F, shape: { dim: ['n', 'c', 's'].map((dimParam) => ({ dimParam })) } } } });
  const model = onnx.ModelProto.fromObject({
    // opset 20 needs IR 9; the others use the IR @apalu/onnx emits.
    irVersion: PEERS[op].opset >= 20 ? Math.max(irVersion, 9) : irVersion,
    producerName: '@apalu/bench',
    opsetImport: [{ domain: '', version: PEERS[op].opset }],
    graph: { name: op, node: [{ opType: op, input: ['x'], output: ['y'] }], input: [tensor('x')], output: [tensor('y')] },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * @apalu/onnx's backend (APALU as an ONNX function, inlined by onnxruntime-web's wasm build)
 * in each formulation, beside single-op Relu, Elu and Gelu models on the same runtime. Every
 * row goes through InferenceSession.run with a Float32Array in and out.
 */
export async function loadOnnx(mode: BenchMode): Promise<Family> {
  const pkg: OnnxPackage = await import('@apalu/onnx');
  const ort = await import('onnxruntime-web');
  const entries: BenchEntry[] = [];
  const backends: ApaluBackend[] = [];
  const sessions: Session[] = [];
  const unavailable: Family['unavailable'] = [];
  const peerIds = Object.keys(PEERS).map((op) => `ORT ${op}`);
  // quick and smoke keep the default body; the full run compares every formulation.
  const bodies = mode === 'full' ? pkg.formulations : pkg.formulations.slice(0, 1);
  for (const formulation of bodies) {
    const backend = await pkg.createBackend({ formulation });
    backends.push(backend);
    const isDefault = formulation === bodies[0];
    entries.push({
      id: isDefault ? backend.name : `onnxruntime-web (${formulation})`,
      role: 'apalu',
      source: '@apalu/onnx',
      group: 'ONNX Runtime Web (wasm)',
      accuracy: backend.accuracy,
      note: `ONNX function, "${formulation}" body${isDefault ? ' (default)' : ''}`,
      // backward is one graph whatever the forward body: measured once, on the default.
      directions: isDefault ? ['forward', 'backward'] : ['forward'],
      // the other bodies are compared at 1M (the ratio size); 16M would add minutes each.
      ...(isDefault ? {} : { maxSize: 1 << 20 }),
      peers: peerIds,
      prepare: async (input, direction) => ({
        run: () => (direction === 'forward' ? backend.forward(input.x, input.a, input.b) : backend.backward(input.x, input.dy, input.a, input.b)),
      }),
    });
  }
  for (const op of Object.keys(PEERS) as Array<keyof typeof PEERS>) {
    let session: Session;
    try {
      session = await pkg.createSession(unaryModel(pkg.onnx, op, pkg.IR_VERSION));
    } catch (error) {
      unavailable.push({ id: `ORT ${op}`, source: 'onnxruntime-web', reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    sessions.push(session);
    entries.push({
      id: `ORT ${op}`,
      role: 'peer',
      source: 'onnxruntime-web',
      group: 'ONNX Runtime Web (wasm)',
      note: `opset ${PEERS[op].opset}`,
      directions: ['forward'],
      check: (output: RunOutput, input: SizedInput) => checkClose(op, output as Float32Array, (i) => PEERS[op].f(input.x[i] as number), input.n),
      prepare: async (input) => {
        const dims = [input.n / input.channels, input.channels, 1];
        return {
          run: async () => {
            const out = await session.run({ x: new ort.Tensor('float32', input.x, dims) });
            return out.y?.data as Float32Array;
          },
        };
      },
    });
  }
  return {
    entries,
    unavailable,
    close: async () => {
      for (const backend of backends) await backend.dispose?.();
      for (const session of sessions) await session.release();
    },
  };
}
