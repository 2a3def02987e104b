/**
 * Every way this package can be run, for the conformance kit's `loadVariants('@apalu/webgpu')`
 * (the apalu-conformance CLI, the workspace report). A subpath of its own, so the main entry
 * carries no test configuration.
 */
export const conformanceVariants = [{ name: 'webgpu', options: {} }] as const;
