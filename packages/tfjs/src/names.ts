/** Kernel names in tfjs's registry. Stable: saved graphs and other packages may refer to them. */
export const APALU_KERNEL = 'Apalu';
export const APALU_GRAD_KERNEL = 'ApaluGrad';
