import { apalu, apaluDerivative, erf } from '@apalu/core';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** x from −4 to 4: the range fitTo uses, wide enough to see both branches saturate or grow. */
const X_MIN = -4;
const X_MAX = 4;
const POINTS = 801;

const xs = Array.from({ length: POINTS }, (_, i) => X_MIN + ((X_MAX - X_MIN) * i) / (POINTS - 1));
const relu = xs.map((x) => Math.max(0, x));
const elu = xs.map((x) => (x >= 0 ? x : Math.expm1(x)));
const gelu = xs.map((x) => 0.5 * x * (1 + erf(x / Math.SQRT2)));

export interface CurvePlot {
  readonly plot: uPlot;
  /** Recomputes f and ∂f/∂x for new parameters and redraws. */
  update(a: number, b: number): void;
}

function apaluSeries(a: number, b: number): { f: number[]; d: number[] } {
  return { f: xs.map((x) => apalu(x, a, b)), d: xs.map((x) => apaluDerivative(x, a, b)) };
}

export function createCurvePlot(target: HTMLElement, a: number, b: number): CurvePlot {
  const { f, d } = apaluSeries(a, b);
  const dashed = [6, 4];
  const options: uPlot.Options = {
    width: Math.min(1050, target.clientWidth || 1050),
    height: 420,
    // No pixel snapping: it draws the slowly-changing ∂f/∂x as a staircase.
    pxAlign: 0,
    scales: { x: { time: false }, y: { range: [-2.5, 6] } },
    axes: [{ label: 'x' }, { label: 'y' }],
    series: [
      { label: 'x', value: (_u, v) => (v == null ? '–' : v.toFixed(2)) },
      { label: 'APALU f(x)', stroke: '#1f5bd8', width: 3 },
      { label: '∂f/∂x', stroke: '#d9480f', width: 2 },
      { label: 'ReLU', stroke: '#6b7280', width: 1.5, dash: dashed },
      { label: 'ELU (α = 1)', stroke: '#2f9e44', width: 1.5, dash: dashed },
      { label: 'GELU', stroke: '#9c36b5', width: 1.5, dash: dashed },
    ],
  };
  const plot = new uPlot(options, [xs, f, d, relu, elu, gelu], target);
  return {
    plot,
    update(a2, b2) {
      const next = apaluSeries(a2, b2);
      plot.setData([xs, next.f, next.d, relu, elu, gelu]);
    },
  };
}
