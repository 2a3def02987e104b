import { type FitResult, type KnownActivation, fitTo } from '@apalu/core';
import { BACKENDS } from './backends.js';
import { type BenchState, runBench } from './bench.js';
import { createCurvePlot } from './curve.js';
import { type GpuAdapterSummary, describeAdapter, formatAdapter, formatIsolation } from './environment.js';
import { type MatrixState, runMatrix } from './matrix.js';
import './style.css';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const sliderA = $<HTMLInputElement>('slider-a');
const sliderB = $<HTMLInputElement>('slider-b');
const curve = createCurvePlot($('plot'), Number(sliderA.value), Number(sliderB.value));

/** The parameters plotted: the sliders' values, or a fit's exact values until a slider moves. */
const params = { a: Number(sliderA.value), b: Number(sliderB.value) };

function showParams(): void {
  const { a, b } = params;
  $('value-a').textContent = a.toFixed(3);
  $('value-b').textContent = b.toFixed(3);
  curve.update(a, b);
  const right = 1.5 * a;
  $('kink').textContent =
    Math.abs(b - right) < 1e-9
      ? `b = 1.5·a: f is differentiable at 0 (∂f/∂x = ${right.toFixed(3)} on both sides).`
      : `∂f/∂x jumps at 0 from b = ${b.toFixed(3)} (left) to 1.5·a = ${right.toFixed(3)} (right); f is differentiable there only when b = 1.5·a. On the left ∂f/∂x = b·eˣ → 0.`;
}

/** Sets exact parameters (a slider shows the nearest position it can: it steps by 0.01 from 0.01). */
function setParams(a: number, b: number): void {
  params.a = a;
  params.b = b;
  sliderA.value = String(a);
  sliderB.value = String(b);
  showParams();
}

sliderA.addEventListener('input', () => {
  params.a = Number(sliderA.value);
  showParams();
});
sliderB.addEventListener('input', () => {
  params.b = Number(sliderB.value);
  showParams();
});

const TARGETS: { name: KnownActivation; label: string }[] = [
  { name: 'relu', label: 'ReLU' },
  { name: 'elu', label: 'ELU' },
  { name: 'gelu', label: 'GELU' },
];
const fits: Record<string, FitResult> = {};
for (const { name, label } of TARGETS) {
  const fit = fitTo(name);
  fits[name] = fit;
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.fit = name;
  button.textContent = `${label}: a = ${fit.a.toFixed(3)}, b = ${fit.b.toFixed(3)} (RMSE ${fit.rmse.toFixed(3)})`;
  button.title = `Set the sliders to fitTo('${name}')`;
  button.addEventListener('click', () => setParams(fit.a, fit.b));
  $('fits').append(button);
}
showParams();

const matrix: MatrixState = { state: 'idle', rows: [] };
const bench: BenchState = { state: 'idle', rows: [] };
const page = {
  curve,
  params,
  fits,
  matrix,
  bench,
  adapter: undefined as GpuAdapterSummary | undefined,
  /** Each backend's factory, for trying one from the devtools console. */
  backends: BACKENDS,
  setParams,
  /** model.fit with Apalu layers on webgl against cpu (see src/webgl-fit.ts). */
  webglFit: (steps?: number) => import('./webgl-fit.js').then((m) => m.webglFit(steps)),
  webglPackCompare: () => import('./webgl-fit.js').then((m) => m.webglPackCompare()),
};
(globalThis as { apaluPlayground?: typeof page }).apaluPlayground = page;

$('environment').textContent = formatIsolation();
void describeAdapter().then((adapter) => {
  page.adapter = adapter;
  $('adapter').textContent = formatAdapter(adapter);
  $('environment').textContent = `${formatIsolation()} · ${formatAdapter(adapter)}`;
});

const runMatrixButton = $<HTMLButtonElement>('run-matrix');
const runBenchButton = $<HTMLButtonElement>('run-bench');
const busy = (on: boolean) => {
  runMatrixButton.disabled = on;
  runBenchButton.disabled = on;
};

runMatrixButton.addEventListener('click', async () => {
  busy(true);
  try {
    const only = new URLSearchParams(location.search).get('backends')?.split(',');
    await runMatrix(matrix, { table: $('backends'), output: $('matrix'), progress: $('matrix-progress') }, only);
  } finally {
    busy(false);
  }
});

runBenchButton.addEventListener('click', async () => {
  busy(true);
  try {
    await runBench(bench, $('bench'), $('bench-progress'));
  } finally {
    busy(false);
  }
});
