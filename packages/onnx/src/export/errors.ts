/** Thrown when a model cannot be exported; the message names the layer and what is supported. */
export class ExportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ExportError';
    this.code = code;
  }
}
