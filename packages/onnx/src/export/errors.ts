/**
 * Thrown when a model cannot be exported; the message names the layer and what is supported.
 * An ApaluInputError from @apalu/core (kind 'input': the model given is what must change).
 */
import { ApaluInputError } from '@apalu/core';

export class ExportError extends ApaluInputError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'ExportError';
  }
}
