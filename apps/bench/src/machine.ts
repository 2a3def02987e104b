import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineInfo } from './types.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages whose versions are recorded with every result (those installed here). */
export const RECORDED_PACKAGES = [
  '@apalu/core',
  '@apalu/conformance',
  '@apalu/wasm',
  '@apalu/webgpu',
  '@apalu/tfjs',
  '@apalu/onnx',
  '@apalu/brain',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  'onnxruntime-web',
  'brain.js',
  'webgpu',
  'tinybench',
] as const;

export function machineInfo(note = process.env.APALU_BENCH_MACHINE): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() || 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}/${process.arch}`,
    ...(note ? { note } : {}),
  };
}

/** name → version of each recorded package as installed for this app ("not installed" otherwise). */
export async function packageVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of RECORDED_PACKAGES) {
    try {
      const pkg = JSON.parse(await readFile(join(appDir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      out[name] = pkg.version;
    } catch {
      out[name] = 'not installed';
    }
  }
  return out;
}
