/**
 * Browser build of resolve.ts (see tsup.config.ts): no Node resolution here, so only URLs
 * resolve; package names and paths need Node (`apalu-conformance`, or the "node" build).
 */
import { ApaluEnvironmentError } from '@apalu/core';

export async function resolveModule(specifier: string, _from?: string): Promise<string> {
  if (/^(data|https?|blob):/.test(specifier)) return specifier;
  throw new ApaluEnvironmentError(
    'E_BACKEND',
    `Cannot resolve '${specifier}' in a browser: @apalu/conformance resolves package names and paths in Node only. ` +
      'In a browser, create the backend yourself and pass it to runConformance(backend).',
  );
}

/** URLs are not checked for existence in a browser: importing one reports a missing file. */
export async function moduleFileExists(_url: string): Promise<boolean> {
  return true;
}
