/** Loads ONNX Runtime (onnxruntime-web by default) and opens sessions on model bytes, naming an unsupported opset instead of a bare error. */
import type * as ortTypes from 'onnxruntime-web';
import { ApaluEnvironmentError, ApaluInputError } from '@apalu/core';
import { onnx } from './proto.js';

/** The parts of an ONNX Runtime JS module this package uses: onnxruntime-web (any entry) or onnxruntime-node. */
export interface OrtRuntime {
  InferenceSession: { create(model: Uint8Array, options?: ortTypes.InferenceSession.SessionOptions): Promise<ortTypes.InferenceSession> };
  Tensor: typeof ortTypes.Tensor;
  /** `versions` tells onnxruntime-node ({ node }) from onnxruntime-web ({ web }) for the backend's name. */
  env: { wasm?: { numThreads?: number }; versions?: { readonly node?: string; readonly web?: string } };
}

export type InferenceSession = ortTypes.InferenceSession;

export interface CreateSessionOptions extends ortTypes.InferenceSession.SessionOptions {
  /**
   * Execution providers in order of preference, e.g. ['webgpu', 'wasm'] in a browser, ['wasm'] in Node
   * (default ['wasm'] for onnxruntime-web; the runtime's own default when `runtime` is given).
   */
  executionProviders?: ortTypes.InferenceSession.ExecutionProviderConfig[];
  /**
   * The runtime module; default `await import('onnxruntime-web')`. Pass
   * `await import('onnxruntime-node')` to run the same bytes natively.
   */
  runtime?: OrtRuntime;
  /** onnxruntime-web wasm threads (sets `env.wasm.numThreads` before the first session); leave unset for ORT's default. */
  numThreads?: number;
}

/** Imports onnxruntime-web on first use, so exporting never needs it. */
export async function loadRuntime(runtime?: OrtRuntime): Promise<OrtRuntime> {
  if (runtime !== undefined) return runtime;
  try {
    return (await import('onnxruntime-web')) as unknown as OrtRuntime;
  } catch (cause) {
    throw new ApaluEnvironmentError('E_BACKEND', '@apalu/onnx: createSession needs the peer dependency onnxruntime-web (npm i onnxruntime-web), or pass { runtime }.', {
      cause,
    });
  }
}

/**
 * An ONNX Runtime session over model bytes (from `exportTfjsModel`, `apaluModel` or any ONNX file
 * that uses the ai.apalu function): the runtime inlines the function, then optimizes the graph.
 */
export async function createSession(bytes: Uint8Array, options: CreateSessionOptions = {}): Promise<InferenceSession> {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new ApaluInputError(
      'E_TYPE',
      `bytes must be a non-empty Uint8Array holding an ONNX model, got ${bytes instanceof Uint8Array ? 'an empty Uint8Array' : typeof bytes}; pass the result of exportTfjsModel() or new Uint8Array(await file.arrayBuffer()).`,
    );
  }
  const { runtime, numThreads, executionProviders, ...sessionOptions } = options;
  const ort = await loadRuntime(runtime);
  if (numThreads !== undefined && ort.env.wasm !== undefined) ort.env.wasm.numThreads = numThreads;
  const providers = executionProviders ?? (runtime === undefined ? ['wasm'] : undefined);
  try {
    return await ort.InferenceSession.create(bytes, providers === undefined ? sessionOptions : { ...sessionOptions, executionProviders: providers });
  } catch (cause) {
    throw opsetError(bytes, ort, cause) ?? cause;
  }
}

/**
 * The newest default-domain opset an ONNX Runtime JS release runs: 1.17 ships ONNX 1.15
 * (opset 20), 1.18 ONNX 1.16 (opset 21). Undefined when the version is unknown or newer.
 */
function maxOpset(version: string | undefined): number | undefined {
  const m = /^1\.(\d+)\./.exec(version ?? '');
  return m !== null && Number(m[1]) < 18 ? 20 : undefined;
}

/**
 * onnxruntime-web 1.17 refuses an opset-21 model with a bare number (a wasm exception pointer);
 * name the opset, the runtime's version and the fix instead. Undefined when that is not the cause.
 */
function opsetError(bytes: Uint8Array, ort: OrtRuntime, cause: unknown): ApaluInputError | undefined {
  const version = ort.env.versions?.web ?? ort.env.versions?.node;
  const max = maxOpset(version);
  if (max === undefined) return undefined;
  let opset: number | undefined;
  try {
    const found = onnx.ModelProto.decode(bytes).opsetImport?.find((o) => (o.domain ?? '') === '');
    opset = found?.version == null ? undefined : Number(found.version);
  } catch {
    return undefined;
  }
  if (opset === undefined || opset <= max) return undefined;
  return new ApaluInputError(
    'E_OPSET',
    `the model imports default-domain opset ${opset}, but onnxruntime-${ort.env.versions?.web !== undefined ? 'web' : 'node'} ${version} runs opsets up to ${max}: export it with { opset: ${max} } (or lower), or install onnxruntime-web 1.18 or later.`,
    { cause },
  );
}
