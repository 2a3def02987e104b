/** `--compare=BEFORE.json,AFTER.json`: two saved runs side by side — after/before throughput per row and size, and the noise the unchanged rows show. */
import type { BenchResult, Direction } from '../types.js';
import { sizeLabel } from '../size-label.js';

export interface RowComparison {
  entry: string;
  direction: Direction;
  role: string;
  /** after/before throughput per size of `sizes` (undefined where either run lacks it). */
  ratios: (number | undefined)[];
  /** The median of the defined ratios. */
  median: number | undefined;
}

export interface Comparison {
  sizes: number[];
  rows: RowComparison[];
  /** Rows of the after run that the before run does not have, and the reverse. */
  added: string[];
  removed: string[];
  /**
   * The noise, from the rows no change to @apalu can move (roles 'peer' and 'limit'): the lowest
   * and highest ratio of any of their cells, and of their row medians.
   */
  noise: { cells: [number, number]; medians: [number, number] } | undefined;
  /** @apalu rows whose median is below the lowest median of the unchanged rows. */
  slower: RowComparison[];
}

const key = (entry: string, direction: Direction) => `${entry}\u0000${direction}`;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Compares `after` with `before`, size by size, on the sizes both runs measured. */
export function compareRuns(before: BenchResult, after: BenchResult): Comparison {
  const sizes = after.sizes.filter((n) => before.sizes.includes(n));
  const throughput = (r: BenchResult) => {
    const map = new Map<string, Map<number, number>>();
    for (const m of r.measurements) {
      const k = key(m.entry, m.direction);
      if (!map.has(k)) map.set(k, new Map());
      map.get(k)!.set(m.n, m.throughput);
    }
    return map;
  };
  const old = throughput(before);
  const now = throughput(after);
  const roles = new Map([...before.entries, ...after.entries].map((e) => [e.id, e.role as string]));
  const rows: RowComparison[] = [];
  const added: string[] = [];
  for (const [k, cells] of now) {
    const [entry, direction] = k.split('\u0000') as [string, Direction];
    const was = old.get(k);
    if (was === undefined) {
      added.push(`${entry} (${direction})`);
      continue;
    }
    const ratios = sizes.map((n) => (cells.has(n) && was.has(n) ? cells.get(n)! / was.get(n)! : undefined));
    rows.push({ entry, direction, role: roles.get(entry) ?? 'apalu', ratios, median: median(ratios.filter((r): r is number => r !== undefined)) });
  }
  const removed = [...old.keys()].filter((k) => !now.has(k)).map((k) => k.replace('\u0000', ' (') + ')');
  const steady = rows.filter((r) => r.role === 'peer' || r.role === 'limit');
  const cells = steady.flatMap((r) => r.ratios.filter((v): v is number => v !== undefined));
  const medians = steady.map((r) => r.median).filter((v): v is number => v !== undefined);
  const noise = cells.length && medians.length ? { cells: [Math.min(...cells), Math.max(...cells)] as [number, number], medians: [Math.min(...medians), Math.max(...medians)] as [number, number] } : undefined;
  const slower = noise === undefined ? [] : rows.filter((r) => r.role === 'apalu' && r.median !== undefined && r.median < noise.medians[0]);
  return { sizes, rows, added, removed, noise, slower };
}

const fmt = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));

/** The comparison as markdown: a sentence on the two runs and the noise, then one table row per entry and direction. */
export function formatComparison(before: BenchResult, after: BenchResult, c: Comparison): string {
  const lines = [
    `Before: ${before.date} (${before.mode}, ${before.durationS.toFixed(0)} s); after: ${after.date} (${after.mode}, ${after.durationS.toFixed(0)} s).`,
    'Each cell is after/before throughput (> 1: faster after); the last column is the row\'s median over the sizes.',
    '',
  ];
  if (c.noise) {
    lines.push(
      `Noise (rows no @apalu change can move: peers and copy limits): cells ${fmt(c.noise.cells[0])}–${fmt(c.noise.cells[1])}, row medians ${fmt(c.noise.medians[0])}–${fmt(c.noise.medians[1])}.`,
      c.slower.length === 0
        ? '@apalu rows with a median below the lowest of those: none.'
        : `@apalu rows with a median below the lowest of those: ${c.slower.map((r) => `${r.entry} ${r.direction} (${fmt(r.median)})`).join(', ')}.`,
      '',
    );
  }
  lines.push(`| entry | direction | role | ${c.sizes.map(sizeLabel).join(' | ')} | median |`, `|---|---|---|${c.sizes.map(() => '---:').join('|')}|---:|`);
  for (const r of c.rows) lines.push(`| ${r.entry} | ${r.direction} | ${r.role} | ${r.ratios.map(fmt).join(' | ')} | ${fmt(r.median)} |`);
  if (c.added.length) lines.push('', `Only in the after run: ${c.added.join(', ')}.`);
  if (c.removed.length) lines.push('', `Only in the before run: ${c.removed.join(', ')}.`);
  return lines.join('\n');
}
