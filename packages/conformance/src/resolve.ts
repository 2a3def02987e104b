import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolve } from 'import-meta-resolve';

/**
 * A module URL for a bare specifier, a path or a URL, resolved the way an ES module in
 * `from` (default: the working directory) would resolve it.
 */
export function resolveModule(specifier: string, from: string = process.cwd()): string {
  if (/^(file|data|node):/.test(specifier)) return specifier;
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  const parent = pathToFileURL(`${from.replace(/[\\/]$/, '')}/`).href;
  return resolve(specifier, parent);
}
