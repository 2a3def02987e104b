import { type ConformanceReport, formatFailures, formatMatrix, runConformance } from '@apalu/conformance';
import { BACKENDS, type BackendEntry, unmet } from './backends.js';
import { markdownToHtml } from './markdown.js';

export type RowStatus = 'pending' | 'running' | 'pass' | 'fail' | 'error' | 'unavailable';

/** One backend's outcome, as the page shows it and the end-to-end test reads it. */
export interface MatrixRow {
  name: string;
  pkg: string;
  status: RowStatus;
  accuracy?: string;
  /** Failing checks, a creation error, or why the backend cannot run here. */
  detail?: string;
  durationMs?: number;
  /** formatFailures' text for every failing check. */
  failures?: string;
  /** Input classes not compared, with how many elements they held and the reason. */
  excluded?: string[];
}

export interface MatrixState {
  state: 'idle' | 'running' | 'done';
  rows: MatrixRow[];
  markdown?: string;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function renderRows(table: HTMLTableElement, rows: readonly MatrixRow[]): void {
  table.innerHTML = '<thead><tr><th>backend</th><th>package</th><th>class</th><th>result</th><th>time</th><th>detail</th></tr></thead>';
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.dataset.backend = row.name;
    const cells = [row.name, row.pkg, row.accuracy ?? '', row.status, row.durationMs === undefined ? '' : `${(row.durationMs / 1000).toFixed(1)} s`, row.detail ?? ''];
    cells.forEach((text, i) => {
      const td = tr.insertCell();
      td.textContent = text;
      if (i === 3) td.dataset.status = row.status;
      if (i === 5 && row.failures) td.title = row.failures;
    });
  }
}

async function runOne(entry: BackendEntry, row: MatrixRow, onCase: (name: string, done: number, total: number) => void): Promise<ConformanceReport | undefined> {
  const why = unmet(entry.requires);
  if (why !== undefined) {
    row.status = 'unavailable';
    row.detail = why;
    return undefined;
  }
  const started = performance.now();
  let backend;
  try {
    backend = await entry.create();
  } catch (error) {
    row.status = 'error';
    row.detail = `createBackend failed: ${describe(error)}`;
    console.warn(`[matrix] ${entry.name}: ${row.detail}`);
    return undefined;
  }
  try {
    const report = await runConformance(backend, {
      ...(entry.excludeInputs ? { excludeInputs: entry.excludeInputs } : {}),
      ...(entry.exclude ? { exclude: entry.exclude } : {}),
      ...(entry.propertyRuns ? { runs: entry.propertyRuns.runs } : {}),
      onCase,
    });
    row.accuracy = report.accuracy;
    row.status = report.pass ? 'pass' : 'fail';
    if (!report.pass) {
      row.failures = formatFailures(report.checks);
      const failing = row.failures.split('\n');
      row.detail = `${failing[0]}${failing.length > 1 ? ` (+${failing.length - 1} more failing checks)` : ''}`;
    }
    // Left-out inputs and whole cases (a backend without dispose(), an open finding named by its variant), each with its reason.
    const excluded = [
      ...(report.excludedInputs ?? []).map((e) => `${e.inputs} (${e.elements} elements): ${e.reason}`),
      ...report.excluded.map((e) => `case ${e.case}: ${e.reason}`),
      ...(entry.propertyRuns ? [`case property: ${entry.propertyRuns.runs} runs instead of 200: ${entry.propertyRuns.reason}`] : []),
    ];
    if (excluded.length > 0) row.excluded = excluded;
    if (report.backend !== entry.name) row.detail = `${row.detail ? `${row.detail}; ` : ''}reports its name as ${report.backend}`;
    return report;
  } catch (error) {
    row.status = 'error';
    row.detail = `runConformance threw ${describe(error)}`;
    return undefined;
  } finally {
    row.durationMs = performance.now() - started;
    // A dispose that fails is reported on its row; it must not stop the rows after it.
    try {
      await backend.dispose?.();
    } catch (error) {
      row.detail = `${row.detail ? `${row.detail}; ` : ''}dispose failed: ${describe(error)}`;
    }
  }
}

/** Runs every backend in turn (one at a time: they share one GPU and the main thread). */
export async function runMatrix(
  state: MatrixState,
  elements: { table: HTMLTableElement; output: HTMLElement; progress: HTMLElement },
  only?: readonly string[],
): Promise<void> {
  const wanted = only?.map((name) => name.trim()).filter((name) => name !== '');
  const unknown = (wanted ?? []).filter((name) => !BACKENDS.some((b) => b.name === name));
  if (unknown.length > 0 || wanted?.length === 0) {
    state.rows = [];
    renderRows(elements.table, state.rows);
    elements.progress.textContent = `?backends= names ${unknown.length > 0 ? `unknown backends: ${unknown.join(', ')}` : 'no backend'}; known: ${BACKENDS.map((b) => b.name).join(', ')}`;
    state.state = 'done';
    return;
  }
  const entries = BACKENDS.filter((b) => wanted === undefined || wanted.includes(b.name));
  state.state = 'running';
  state.rows = entries.map((b) => ({ name: b.name, pkg: b.pkg, status: 'pending' }));
  renderRows(elements.table, state.rows);
  const reports: ConformanceReport[] = [];
  for (const [i, entry] of entries.entries()) {
    const row = state.rows[i]!;
    row.status = 'running';
    renderRows(elements.table, state.rows);
    let last = 0;
    const report = await runOne(entry, row, (name, done, total) => {
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      elements.progress.textContent = `${entry.name} (${i + 1}/${entries.length}): ${name} ${done}/${total}`;
    });
    if (report) reports.push(report);
    renderRows(elements.table, state.rows);
  }
  state.markdown = formatMatrix(reports);
  elements.output.innerHTML = markdownToHtml(state.markdown);
  const passed = state.rows.filter((r) => r.status === 'pass').length;
  elements.progress.textContent = `done: ${passed}/${state.rows.length} backends pass their accuracy class`;
  state.state = 'done';
}
