import type { BenchResult } from '../types.js';
import { runDescription } from '../run-kind.js';
import { machineLine } from './markdown.js';

const KINDS = ['APALU', 'peer', 'copy limit'];

/**
 * Throughput against size, log–log: one row of panels per group of rows that compete (tfjs
 * wasm, ONNX Runtime, …), forward and backward side by side, the copy limits in every panel.
 * Lines are labelled at their right end. Vega-Lite compiles the spec; Vega renders the SVG
 * headlessly (its SVG renderer needs no canvas or DOM).
 */
export async function renderChart(result: BenchResult): Promise<string> {
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const info = new Map(result.entries.map((e) => [e.id, e]));
  const groups = [...new Set(result.entries.filter((e) => e.role !== 'limit').map((e) => e.group))];
  const values = result.measurements.flatMap((m) => {
    const e = info.get(m.entry);
    if (!e) return [];
    const row = {
      entry: m.entry,
      // The two copy limits lie on top of each other: one label for both.
      label: e.role === 'limit' ? (m.entry === 'Float32Array.set' ? 'copy limits' : '') : m.entry,
      kind: e.role === 'apalu' ? 'APALU' : e.role === 'peer' ? 'peer' : 'copy limit',
      direction: m.direction === 'forward' ? 'forward' : 'backward (brain: training step)',
      n: m.n,
      throughput: m.throughput,
    };
    // A group's panel is drawn only where something of the group was measured.
    // brain's network steps are in another unit than the copies: no limit lines in their panel.
    const measured = (g: string) => result.measurements.some((o) => o.direction === m.direction && info.get(o.entry)?.group === g && !info.get(o.entry)?.ownUnit);
    const panel = (group: string) => ({ ...row, group, order: groups.indexOf(group) });
    return e.role === 'limit' ? groups.filter(measured).map(panel) : [panel(e.group)];
  });
  const x = {
    field: 'n',
    type: 'quantitative',
    scale: { type: 'log', base: 2, domain: [Math.min(...result.sizes), Math.max(...result.sizes)] },
    axis: { title: 'elements', values: result.sizes, labelExpr: "datum.value >= 1048576 ? datum.value / 1048576 + 'M' : datum.value >= 1024 ? datum.value / 1024 + 'K' : datum.value" },
  };
  const y = { field: 'throughput', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'M elements/s (median)' } };
  const color = { field: 'kind', type: 'nominal', title: null, scale: { domain: KINDS, range: ['#1f5fa8', '#e07b00', '#8a8a8a'] } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // Room on the right for the labels at the lines' ends.
    padding: { left: 5, top: 5, right: 140, bottom: 5 },
    title: { text: `APALU throughput (${runDescription(result)})`, subtitle: machineLine(result), anchor: 'start' },
    data: { values },
    facet: {
      row: { field: 'group', type: 'nominal', title: null, sort: { field: 'order', op: 'min' }, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold', labelFontSize: 12 } },
      column: { field: 'direction', type: 'nominal', title: null, sort: 'descending' },
    },
    spacing: { column: 150, row: 16 },
    spec: {
      width: 330,
      height: 170,
      layer: [
        {
          mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.5 },
          encoding: { x, y, color, detail: { field: 'entry' }, strokeDash: { field: 'kind', legend: null, scale: { domain: KINDS, range: [[1, 0], [5, 3], [2, 2]] } } },
        },
        {
          transform: [{ joinaggregate: [{ op: 'max', field: 'n', as: 'last' }], groupby: ['entry', 'direction', 'group'] }, { filter: 'datum.n === datum.last' }],
          mark: { type: 'text', align: 'left', dx: 5, fontSize: 9 },
          encoding: { x, y, color, text: { field: 'label' } },
        },
      ],
    },
    // Each panel gets its own y range: an emulated GPU or a network step would flatten the rest.
    resolve: { scale: { y: 'independent' } },
    config: { font: 'sans-serif', background: 'white', legend: { orient: 'top', symbolType: 'stroke' } },
  };
  const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
