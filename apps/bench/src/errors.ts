/**
 * A mistake in what was asked (an unknown option, a bad size, a filter that matches no APALU
 * row), not a failure of the run: the CLI prints the message and a usage hint and exits 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
