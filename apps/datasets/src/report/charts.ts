import type { TopLevelSpec } from 'vega-lite';

type Row = Record<string, string | number>;

const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: { font: 'sans-serif' } } as const;

/** Lines of y over x, one colour per `series`, optionally small multiples by `facet`. */
export function lineChart(o: {
  title: string;
  rows: Row[];
  x: string;
  y: string;
  series: string;
  /** Optional second series field drawn as the line's dash pattern (e.g. the seed). */
  dash?: string;
  facet?: string;
  logY?: boolean;
  band?: { lower: string; upper: string };
  width?: number;
}): TopLevelSpec {
  const layerLine = {
    mark: { type: 'line', point: o.rows.length < 200 },
    encoding: {
      x: { field: o.x, type: 'quantitative' },
      y: { field: o.y, type: 'quantitative', scale: o.logY ? { type: 'log' } : { zero: false } },
      color: { field: o.series, type: 'nominal' },
      ...(o.dash ? { strokeDash: { field: o.dash, type: 'nominal' }, detail: { field: o.dash, type: 'nominal' } } : {}),
    },
  };
  const layers: unknown[] = [layerLine];
  if (o.band) {
    layers.unshift({
      mark: { type: 'area', opacity: 0.15 },
      encoding: {
        x: { field: o.x, type: 'quantitative' },
        y: { field: o.band.lower, type: 'quantitative', scale: o.logY ? { type: 'log' } : { zero: false } },
        y2: { field: o.band.upper },
        color: { field: o.series, type: 'nominal' },
      },
    });
  }
  const inner = { width: o.width ?? 260, height: 170, layer: layers };
  if (o.facet) {
    return { ...base, title: o.title, data: { values: o.rows }, facet: { field: o.facet, type: 'nominal' }, columns: 3, spec: inner, resolve: { scale: { y: 'independent' } } } as TopLevelSpec;
  }
  return { ...base, title: o.title, data: { values: o.rows }, ...inner } as TopLevelSpec;
}

/** Bars of mean ± std per category, optionally grouped by `group` (columns). */
export function barChart(o: { title: string; rows: Row[]; category: string; value: string; error: string; group?: string; zero?: boolean }): TopLevelSpec {
  const enc = { x: { field: o.category, type: 'nominal', title: null }, color: { field: o.category, type: 'nominal', legend: null } };
  const spec = {
    width: 180,
    height: 160,
    layer: [
      { mark: 'bar', encoding: { ...enc, y: { field: o.value, type: 'quantitative', title: o.value, scale: { zero: o.zero ?? false } } } },
      {
        transform: [{ calculate: `datum['${o.value}'] - datum['${o.error}']`, as: 'lo' }, { calculate: `datum['${o.value}'] + datum['${o.error}']`, as: 'hi' }],
        mark: { type: 'rule', color: 'black' },
        encoding: { x: enc.x, y: { field: 'lo', type: 'quantitative', title: o.value }, y2: { field: 'hi' } },
      },
    ],
  };
  if (o.group) return { ...base, title: o.title, data: { values: o.rows }, facet: { field: o.group, type: 'nominal' }, columns: 4, spec, resolve: { scale: { y: 'independent' } } } as TopLevelSpec;
  return { ...base, title: o.title, data: { values: o.rows }, ...spec } as TopLevelSpec;
}

/** Heat map of `value` over two categorical axes, numbers printed in the cells. */
export function heatmap(o: { title: string; rows: Row[]; x: string; y: string; value: string; facet?: string }): TopLevelSpec {
  const spec = {
    width: 200,
    height: 140,
    encoding: { x: { field: o.x, type: 'ordinal' }, y: { field: o.y, type: 'ordinal' } },
    layer: [
      { mark: 'rect', encoding: { color: { field: o.value, type: 'quantitative', scale: { scheme: 'viridis' } } } },
      { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: o.value, type: 'quantitative', format: '.2f' }, color: { value: 'white' } } },
    ],
  };
  if (o.facet) return { ...base, title: o.title, data: { values: o.rows }, facet: { field: o.facet, type: 'nominal' }, columns: 2, spec } as TopLevelSpec;
  return { ...base, title: o.title, data: { values: o.rows }, ...spec } as TopLevelSpec;
}
