import type { BenchEntry, BenchMode, Family, Unavailable } from '../types.js';
import { loadBrain } from './brain.js';
import { loadCore } from './core.js';
import { loadLimits } from './limits.js';
import { loadOnnx } from './onnx.js';
import { loadTfjs } from './tfjs.js';
import { loadWasm } from './wasm.js';
import { loadWebgpu } from './webgpu.js';

/** Each family in table order, with the package it needs (named when it cannot load). */
const FAMILIES: ReadonlyArray<{ source: string; load: (mode: BenchMode) => Promise<Family> }> = [
  { source: 'JavaScript / WebAssembly', load: loadLimits },
  { source: '@apalu/core', load: loadCore },
  { source: '@apalu/wasm', load: loadWasm },
  { source: '@apalu/webgpu', load: loadWebgpu },
  { source: '@apalu/tfjs', load: loadTfjs },
  { source: '@apalu/onnx', load: loadOnnx },
  { source: '@apalu/brain', load: loadBrain },
];

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0] as string;
  return /Cannot find (module|package)|ERR_MODULE_NOT_FOUND|Failed to load url/.test(message) ? `not built or not installed (${line})` : line;
}

/**
 * Loads every family; one that throws (package not built, framework missing, no adapter)
 * becomes an "unavailable" line with the reason instead of stopping the run.
 */
export async function loadFamilies(mode: BenchMode, note: (message: string) => void): Promise<{ entries: BenchEntry[]; unavailable: Unavailable[]; close: () => Promise<void> }> {
  const entries: BenchEntry[] = [];
  const unavailable: Unavailable[] = [];
  const closers: Array<() => void | Promise<void>> = [];
  for (const family of FAMILIES) {
    note(`loading ${family.source}`);
    try {
      const loaded = await family.load(mode);
      entries.push(...loaded.entries);
      unavailable.push(...loaded.unavailable);
      if (loaded.close) closers.push(loaded.close);
    } catch (error) {
      unavailable.push({ id: family.source, source: family.source, reason: reasonOf(error) });
    }
  }
  return {
    entries,
    unavailable,
    close: async () => {
      for (const close of closers) await close();
    },
  };
}
