/** Formats conformance and exhaustive reports as markdown: worst errors per backend, then a backend × case matrix. */
import type { ExhaustiveReport } from './exhaustive.js';
import type { CheckResult, ConformanceReport } from './run.js';

function fmt(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '∞';
  if (unit === 'ulp' || unit === 'check') return String(Math.round(value * 100) / 100);
  return value === 0 ? '0' : value.toExponential(1);
}

function worstOf(checks: readonly CheckResult[], metric: string): string {
  const matching = checks.filter((c) => c.metric === metric || c.metric.startsWith(`${metric}(`));
  if (matching.length === 0) return '–';
  const worst = matching.reduce((m, c) => (c.error > m.error ? c : m));
  return `${worst.pass ? '' : '✗ '}${fmt(worst.error, worst.unit)}`;
}

const inputsExcluded = (r: ConformanceReport) => (r.excludedInputs ?? []).some((e) => e.elements > 0);

/** The report of several backends as markdown: a summary of worst errors, then backend × case. */
export function formatMatrix(reports: readonly ConformanceReport[]): string {
  const lines: string[] = [];
  lines.push('| backend | class | f | ∂f/∂x | dx (dy) | da | db | rejects bad input | cases | result |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of reports) {
    const unit = r.accuracy === 'strict' ? ' ULP' : '';
    const rejects = r.checks.filter((c) => c.metric === 'rejects');
    const cases = new Set(r.checks.map((c) => c.case));
    const failed = new Set(r.checks.filter((c) => !c.pass).map((c) => c.case));
    lines.push(
      `| ${r.backend} | ${r.accuracy} | ${worstOf(r.checks, 'f')}${unit} | ${worstOf(r.checks, "f'")}${unit} | ${worstOf(r.checks, 'dx')}${unit} | ${worstOf(r.checks, 'da')} | ${worstOf(r.checks, 'db')} | ${rejects.filter((c) => c.pass).length}/${rejects.length} | ${cases.size - failed.size}/${cases.size}${r.excluded.length ? ` (+${r.excluded.length} excluded)` : ''}${inputsExcluded(r) ? ' (some inputs not compared)' : ''} | ${r.pass ? '✅ pass' : '❌ FAIL'} |`,
    );
  }
  const caseNames = [...new Set(reports.flatMap((r) => [...r.checks.map((c) => c.case), ...r.excluded.map((e) => e.case)]))].filter(
    (name) => !name.startsWith('rejects-'),
  );
  lines.push('', `| case | ${reports.map((r) => r.backend).join(' | ')} |`, `|---|${reports.map(() => '---').join('|')}|`);
  for (const name of caseNames) {
    const cells = reports.map((r) => {
      if (r.excluded.some((e) => e.case === name)) return 'excluded';
      const checks = r.checks.filter((c) => c.case === name);
      if (checks.length === 0) return '–';
      const bad = checks.filter((c) => !c.pass);
      const mark = checks.some((c) => (c.skipped ?? 0) > 0) ? '*' : '';
      // Sum checks that left out every channel compared nothing: say so instead of a bare ✓.
      const sumChecks = checks.filter((c) => c.unit === 'relative');
      const noSums = sumChecks.length > 0 && sumChecks.every((c) => (c.skipped ?? 0) >= c.channels);
      const note = noSums ? ' (da, db not compared)' : '';
      return bad.length === 0 ? `✓${mark}${note}` : `✗${mark} ${bad.map((c) => c.metric).join(', ')}${note}`;
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  const exclusions = reports.flatMap((r) => [
    ...r.excluded.map((e) => `- ${r.backend}: \`${e.case}\` excluded — ${e.reason}`),
    ...(r.excludedInputs ?? []).map((e) => `- ${r.backend}: ${e.inputs} inputs not compared (${e.elements} elements; every other element of every case is) — ${e.reason}`),
    ...((r.excludedInputs ?? []).length > 0 ? [skippedSumsLine(r)] : []),
  ]);
  if (exclusions.length) lines.push('', 'Exclusions (* = the case ran with those inputs left out):', ...exclusions);
  lines.push(
    '',
    'Errors are the worst over all cases: f, ∂f/∂x (dy = 1) and dx = dy·∂f/∂x in float32 ULPs (strict) or as a fraction of',
    'max(5e-6, 1e-5·|ref|) (composed); da, db relative to Σ|terms| of the float64 reference. Limits: strict 2 ULP (3 for dx),',
    'sums 1e-6; composed 1 and 1e-4.',
  );
  return lines.join('\n');
}

/** One markdown table row set for exhaustive runs. */
export function formatExhaustive(reports: readonly ExhaustiveReport[]): string {
  const lines = ['| backend | inputs | a, b | max error f | worst x (f) | max error ∂f/∂x | worst x (∂f/∂x) | over limit | time | result |', '|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of reports) {
    const u = r.unit === 'ulp' ? ' ULP' : '';
    lines.push(
      `| ${r.backend} | ${r.sampleBits === 32 ? 'all 2^32' : `2^${r.sampleBits} sampled`}${r.complete ? '' : ' (stopped early)'} | ${r.a}, ${r.b} | ${fmt(r.forward.maxError, r.unit)}${u} | ${r.forward.worst?.x ?? '–'} | ${fmt(r.derivative.maxError, r.unit)}${u} | ${r.derivative.worst?.x ?? '–'} | ${r.forward.failures + r.derivative.failures} | ${(r.durationMs / 1000).toFixed(1)} s | ${r.pass ? '✅ pass' : '❌ FAIL'} |`,
    );
  }
  return lines.join('\n');
}

/** How many per-channel da/db comparisons a run with excluded inputs left out (a channel holding one is not summed). */
function skippedSumsLine(r: ConformanceReport): string {
  let skipped = 0;
  let total = 0;
  for (const c of r.checks) {
    if (c.unit !== 'relative') continue;
    total += c.channels;
    skipped += c.skipped ?? 0;
  }
  return `- ${r.backend}: da, db compared in ${total - skipped} of ${total} channel sums (a channel holding an excluded input is not compared)`;
}
