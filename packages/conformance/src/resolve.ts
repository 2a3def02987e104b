/**
 * A module URL for a bare specifier, a path or a URL, resolved the way an ES module in
 * `from` (default: the working directory) would resolve it. Node-only; its Node imports are
 * dynamic so the kit's main entry stays usable in browsers.
 */
export async function resolveModule(specifier: string, from?: string): Promise<string> {
  if (/^(file|data|node|https?):/.test(specifier)) return specifier;
  const [{ isAbsolute }, { pathToFileURL }, { resolve }] = await Promise.all([import('node:path'), import('node:url'), import('import-meta-resolve')]);
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  const base = (from ?? process.cwd()).replace(/[\\/]$/, '');
  return resolve(specifier, pathToFileURL(`${base}/`).href);
}
