import { type BenchResult, formatMarkdown, runBench } from '@apalu/bench';

/**
 * apps/bench's quick mode (1K, 16K, 256K elements, forward and backward, every backend beside
 * its peers and the copy limits), as a section of the report. Progress goes to stderr, one
 * line per tenth. A result that does not match the reference is listed and fails the report.
 */
export async function quickBench(): Promise<{ result: BenchResult; markdown: string }> {
  let shown = -1;
  const result = await runBench({
    mode: 'quick',
    onProgress: (event) => {
      if (event.kind === 'note') process.stderr.write(`bench: ${event.message}\n`);
      if (event.kind !== 'step') return;
      const tenth = Math.floor((10 * event.done) / event.total);
      if (tenth > shown) {
        shown = tenth;
        process.stderr.write(`bench: ${10 * tenth}% (${event.label})\n`);
      }
    },
  });
  return { result, markdown: formatMarkdown(result, { title: 'Quick benchmark (apps/bench --quick)', level: 2 }) };
}
