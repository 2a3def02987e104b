import { isCompleteFullRun, partialReasons, runDescription } from '../run-kind.js';
import { sizeLabel } from '../size-label.js';
import type { BenchResult, Direction, EntryInfo, Measurement } from '../types.js';

export { sizeLabel };

function fixed(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toPrecision(2);
}

const DIRECTION_TITLE: Record<Direction, string> = {
  forward: 'Forward: y = f(x)',
  backward: 'Backward: dx, da, db (brain rows: one training step)',
};

type Lookup = (entry: string, direction: Direction, n: number) => Measurement | undefined;

function lookupOf(result: BenchResult): Lookup {
  const index = new Map(result.measurements.map((m) => [`${m.entry}|${m.direction}|${m.n}`, m]));
  return (entry, direction, n) => index.get(`${entry}|${direction}|${n}`);
}

/** The size ratios are quoted at: 1M when measured, otherwise the largest size. */
export function ratioSize(result: BenchResult): number {
  return result.sizes.includes(1 << 20) ? 1 << 20 : Math.max(...result.sizes);
}

/**
 * time(row) ÷ time(other) at size n, or at the largest smaller size both have (brain rows stop
 * early). > 1: the row takes that many times as long.
 */
export function timeRatio(lookup: Lookup, sizes: number[], row: string, other: string, direction: Direction, n: number): { ratio: number; n: number } | undefined {
  for (const size of [...sizes].filter((s) => s <= n).sort((p, q) => q - p)) {
    const a = lookup(row, direction, size);
    const b = lookup(other, direction, size);
    if (a && b) return { ratio: a.medianMs / b.medianMs, n: size };
  }
  return undefined;
}

/**
 * A time ratio for a table: whole numbers from 10×, one decimal from 1×, two significant
 * digits below 1× (0.029×, 0.63×), so a row many times faster than its reference never shows 0.0×.
 */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return `${ratio}×`;
  // Rounding may carry into the next style: 0.996 → "1.0×", 9.96 → "10×".
  if (ratio < 1 && Number(ratio.toPrecision(2)) < 1) return `${ratio.toPrecision(2)}×`;
  if (Number(ratio.toFixed(1)) < 10) return `${ratio.toFixed(1)}×`;
  return `${ratio.toFixed(0)}×`;
}

function ratioText(r: { ratio: number; n: number } | undefined, at: number): string {
  if (!r) return '–';
  return `${formatRatio(r.ratio)}${r.n === at ? '' : ` (${sizeLabel(r.n)})`}`;
}

function kind(e: EntryInfo): string {
  return e.role === 'apalu' ? (e.accuracy ?? 'apalu') : e.role;
}

function throughputTable(result: BenchResult, direction: Direction, lookup: Lookup): string[] {
  const rows = result.entries.filter((e) => result.sizes.some((n) => lookup(e.id, direction, n)));
  if (rows.length === 0) return [];
  const head = `| entry | package | class | ${result.sizes.map(sizeLabel).join(' | ')} |`;
  const lines = [head, `|---|---|---|${result.sizes.map(() => '---:').join('|')}|`];
  for (const e of rows) {
    const cells = result.sizes.map((n) => {
      const m = lookup(e.id, direction, n);
      return m ? fixed(m.throughput) : '–';
    });
    lines.push(`| ${e.id}${e.note ? ` <sub>${e.note}</sub>` : ''} | ${e.source} | ${kind(e)} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function ratioTable(result: BenchResult, direction: Direction, lookup: Lookup): string[] {
  const at = ratioSize(result);
  const rows = result.entries.filter((e) => e.role === 'apalu' && result.sizes.some((n) => lookup(e.id, direction, n)));
  if (rows.length === 0) return [];
  const lines = [
    `| entry at ${sizeLabel(at)} | ms per call, median (min–max) | ÷ Float32Array.set | ÷ wasm memory.copy | ÷ js-loop | ÷ its framework's peers |`,
    '|---|---|---:|---:|---:|---|',
  ];
  for (const e of rows) {
    const m = lookup(e.id, direction, at) ?? [...result.sizes].reverse().map((n) => lookup(e.id, direction, n)).find(Boolean);
    const time = m ? `${m.medianMs.toPrecision(3)} (${m.minMs.toPrecision(3)}–${m.maxMs.toPrecision(3)})${m.n === at ? '' : ` at ${sizeLabel(m.n)}`}` : '–';
    const r = (other: string) => ratioText(timeRatio(lookup, result.sizes, e.id, other, direction, at), at);
    // A network step is not n activations: only its own framework's rows compare with it.
    const base = (other: string) => (e.ownUnit ? '–' : r(other));
    // Peers without a measurement here (ONNX ops have no backward) are left out.
    const peers = (e.peers ?? []).filter((p) => p !== 'js-loop (Math.expm1)' && timeRatio(lookup, result.sizes, e.id, p, direction, at)).map((p) => `${p} ${r(p)}`);
    lines.push(`| ${e.id} | ${time} | ${base('Float32Array.set')} | ${base('wasm memory.copy')} | ${base('js-loop (Math.expm1)')} | ${peers.join(', ') || '–'} |`);
  }
  return lines;
}

export function machineLine(result: BenchResult): string {
  const m = result.machine;
  return `${result.date.slice(0, 16).replace('T', ' ')} UTC · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} (V8 ${m.v8}) · ${m.platform}${m.note ? ` · ${m.note}` : ''}`;
}

/** The throughput and ratio tables of one run, with what was not measured and why. */
export function formatMarkdown(result: BenchResult, options: { title?: string; level?: number } = {}): string {
  const h = '#'.repeat(options.level ?? 1);
  const lookup = lookupOf(result);
  const partial = partialReasons(result).filter((r) => !r.startsWith('interrupted'));
  const out = [
    `${h} ${options.title ?? `APALU benchmark (${result.mode})`}`,
    '',
    machineLine(result),
    '',
    `Channels-last input, C = ${result.channels}, x uniform on [−6, 6). Medians of ${result.measurements[0]?.rounds ?? 0} interleaved tinybench rounds; every result was checked against @apalu/core's float64 reference (peers: against their own definition) before it was timed — for the brain.js rows the hidden layer's forward (their training step is checked by @apalu/brain's own tests, not here). ${result.durationS.toFixed(0)} s in all.${result.interrupted ? ' **Interrupted: partial results.**' : ''}${partial.length ? ` Not the whole ${result.mode} run: ${partial.join('; ')}.` : ''}`,
  ];
  for (const direction of ['forward', 'backward'] as const) {
    const table = throughputTable(result, direction, lookup);
    if (table.length === 0) continue;
    out.push('', `${h}# ${DIRECTION_TITLE[direction]}: million elements per second (median)`, '', ...table);
    const ratios = ratioTable(result, direction, lookup);
    if (ratios.length) out.push('', `${h}# ${DIRECTION_TITLE[direction]}: time ratios (× = takes that many times as long)`, '', ...ratios);
  }
  if (result.rejected.length) {
    out.push('', `${h}# Not timed (result did not validate, or a call failed before or while it was timed)`, '');
    for (const r of result.rejected) out.push(`- ${r.entry} ${r.direction} at ${sizeLabel(r.n)}: ${r.reason}`);
  }
  if (result.unavailable.length) {
    out.push('', `${h}# Unavailable here`, '');
    for (const u of result.unavailable) out.push(`- ${u.id} (${u.source}): ${u.reason}`);
  }
  const versions = Object.entries(result.versions)
    .filter(([, v]) => v !== 'not installed')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out.push('', `Versions: ${versions}.`);
  return out.join('\n');
}

/**
 * The rows of one package (e.g. '@apalu/wasm') as a short table for that package's README:
 * throughput at every size, forward and backward, and the time ratios at the ratio size.
 * Rows of anything but a complete full run are headed "Not for a README" and say what the
 * run was (interrupted, filtered, other sizes); writePackageReadmes refuses them.
 */
export function formatPackageRows(result: BenchResult, source: string): string {
  const lookup = lookupOf(result);
  const at = ratioSize(result);
  const rows = result.entries.filter((e) => e.source === source && e.role === 'apalu');
  if (rows.length === 0) return `(no ${source} rows in this run)`;
  const lines = [
    ...(!isCompleteFullRun(result) ? [`**Not for a README: ${runDescription(result)}** (README rows come from a complete, unfiltered full run at the default sizes).`, ''] : []),
    `| row | direction | ${result.sizes.map(sizeLabel).join(' | ')} | at ${sizeLabel(at)}: ÷ copy (Float32Array.set) | ÷ peers |`,
    `|---|---|${result.sizes.map(() => '---:').join('|')}|---:|---|`,
  ];
  for (const e of rows) {
    for (const direction of ['forward', 'backward'] as const) {
      const cells = result.sizes.map((n) => {
        const m = lookup(e.id, direction, n);
        return m ? fixed(m.throughput) : '–';
      });
      if (cells.every((c) => c === '–')) continue;
      const copy = e.ownUnit ? '–' : ratioText(timeRatio(lookup, result.sizes, e.id, 'Float32Array.set', direction, at), at);
      const peers = (e.peers ?? [])
        .map((p) => ({ p, r: timeRatio(lookup, result.sizes, e.id, p, direction, at) }))
        .filter(({ r }) => r)
        .map(({ p, r }) => `${p} ${ratioText(r, at)}`);
      lines.push(`| ${e.id} | ${direction} | ${cells.join(' | ')} | ${copy} | ${peers.join(', ') || '–'} |`);
    }
  }
  return [
    ...lines,
    '',
    `Million elements per second (median of ${result.measurements[0]?.rounds ?? 0} interleaved rounds), ${machineLine(result)}. Ratios: time per call ÷ the other row's (× = takes that many times as long). From \`pnpm bench\` (apps/bench, ${runDescription(result)}).`,
  ].join('\n');
}
