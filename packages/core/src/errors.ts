/** Thrown for every input APALU rejects; `code` is stable, the message names the value and the fix. */
export class ApaluInputError extends RangeError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ApaluInputError';
    this.code = code;
  }
}
