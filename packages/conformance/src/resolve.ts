/**
 * A module URL for a bare specifier, a path or a URL, resolved the way an ES module in
 * `from` (default: the working directory) would resolve it. Node only: the browser build
 * (export condition other than "node") has resolve.browser.ts instead.
 */
export async function resolveModule(specifier: string, from?: string): Promise<string> {
  if (/^(file|data|node|https?):/.test(specifier)) return specifier;
  const [{ isAbsolute }, { pathToFileURL }, { resolve }] = await Promise.all([import('node:path'), import('node:url'), import('import-meta-resolve')]);
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  const base = (from ?? process.cwd()).replace(/[\\/]$/, '');
  return resolve(specifier, pathToFileURL(`${base}/`).href);
}

/** Whether a resolved module URL names an existing file (true for URLs that are not file: URLs). */
export async function moduleFileExists(url: string): Promise<boolean> {
  if (!url.startsWith('file:')) return true;
  const [{ existsSync }, { fileURLToPath }] = await Promise.all([import('node:fs'), import('node:url')]);
  return existsSync(fileURLToPath(url));
}
