import { Bench } from 'tinybench';
import { BACKENDS, unmet } from './backends.js';

export interface BenchRow {
  name: string;
  status: 'pending' | 'running' | 'done' | 'error' | 'unavailable';
  /** Mean time of one forward pass, ms. */
  meanMs?: number;
  /** Million elements per second from the mean. */
  melemPerS?: number;
  samples?: number;
  /** What the backend reports about where it runs (build, threads, GPU adapter). */
  runsOn?: string;
  detail?: string;
}

/** Reads what a backend exposes about itself: @apalu/wasm's kind and threads, @apalu/webgpu's device. */
function runsOn(backend: object): string | undefined {
  const b = backend as { kind?: string; threads?: number; device?: GPUDevice & { adapterInfo?: GPUAdapterInfo } };
  if (typeof b.kind === 'string' && typeof b.threads === 'number') return `${b.kind} build, ${b.threads} thread${b.threads > 1 ? 's' : ''}`;
  const info = b.device?.adapterInfo;
  if (info) return `GPUDevice on ${[info.vendor, info.architecture].filter(Boolean).join(' ') || 'an unnamed adapter'}`;
  return undefined;
}

export interface BenchState {
  state: 'idle' | 'running' | 'done';
  rows: BenchRow[];
}

const N = 1 << 20;
const CHANNELS = 64;

function inputs(): { x: Float32Array; a: Float32Array; b: Float32Array } {
  const x = new Float32Array(N);
  for (let i = 0; i < N; i++) x[i] = ((i * 2654435761) % 4001) / 200 - 10; // spread over [−10, 10], both branches
  const a = new Float32Array(CHANNELS).map((_, c) => 0.5 + c / CHANNELS);
  const b = new Float32Array(CHANNELS).map((_, c) => 1.5 - c / CHANNELS);
  return { x, a, b };
}

function render(table: HTMLTableElement, rows: readonly BenchRow[]): void {
  table.innerHTML = '<thead><tr><th>backend</th><th>forward, 1M elements</th><th>M elements/s</th><th>samples</th><th>runs on</th><th>note</th></tr></thead>';
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    tr.dataset.backend = r.name;
    for (const text of [r.name, r.meanMs === undefined ? r.status : `${r.meanMs.toFixed(2)} ms`, r.melemPerS?.toFixed(0) ?? '', r.samples?.toString() ?? '', r.runsOn ?? '', r.detail ?? '']) {
      tr.insertCell().textContent = text;
    }
  }
}

/** A short tinybench run of each backend's forward pass, one backend at a time. */
export async function runBench(state: BenchState, table: HTMLTableElement, progress: HTMLElement): Promise<void> {
  state.state = 'running';
  state.rows = BACKENDS.map((b) => ({ name: b.name, status: 'pending' }));
  render(table, state.rows);
  const { x, a, b } = inputs();
  for (const [i, entry] of BACKENDS.entries()) {
    const row = state.rows[i]!;
    const why = unmet(entry.requires);
    if (why !== undefined) {
      row.status = 'unavailable';
      row.detail = why;
      continue;
    }
    row.status = 'running';
    progress.textContent = `${entry.name} (${i + 1}/${BACKENDS.length})`;
    render(table, state.rows);
    let backend;
    try {
      backend = await entry.create();
      row.runsOn = runsOn(backend);
      const bench = new Bench({ time: 500, warmupTime: 100, iterations: 3, warmupIterations: 1 });
      bench.add(entry.name, async () => {
        await backend!.forward(x, a, b);
      });
      await bench.run();
      const result = bench.tasks[0]!.result;
      if (result.state !== 'completed') throw result.state === 'errored' ? result.error : new Error(`tinybench ended in state ${result.state}`);
      row.meanMs = result.latency.mean;
      row.melemPerS = N / (result.latency.mean * 1e3);
      row.samples = result.latency.samplesCount;
      row.status = 'done';
    } catch (error) {
      row.status = 'error';
      row.detail = error instanceof Error ? error.message : String(error);
    } finally {
      // A dispose that fails is reported on its row; it must not stop the rows after it.
      try {
        await backend?.dispose?.();
      } catch (error) {
        row.detail = `${row.detail ? `${row.detail}; ` : ''}dispose failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    render(table, state.rows);
  }
  render(table, state.rows);
  progress.textContent = 'done (a shared machine: numbers are indicative)';
  state.state = 'done';
}
