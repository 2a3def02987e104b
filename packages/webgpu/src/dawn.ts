/**
 * Node entry only: Dawn through the optional peer dependency `webgpu`. The browser build
 * (dist/index.browser.*) replaces this module with dawn.browser.ts, so no browser bundle
 * contains, or tries to resolve, the `webgpu` package (tsup.config.ts).
 */
export const loadNodeWebGpu: (() => Promise<{ create: (flags: string[]) => GPU }>) | undefined = () => import('webgpu');
