/** The @apalu/brain/conformance subpath: the variants the conformance kit runs for this package. */
import type { BrainBackendOptions } from './backend.js';

/**
 * Every variant the conformance kit should run (`loadVariants('@apalu/brain')`: the
 * apalu-conformance CLI, the workspace report). A subpath of its own, so the main entry carries
 * no test configuration.
 */
export const conformanceVariants = [{ name: 'brain-neuron', options: {} }] as const satisfies readonly { name: string; options: BrainBackendOptions }[];
