/** Browser entry: WebGPU comes from navigator.gpu only; there is no Node fallback (see dawn.ts). */
export const loadNodeWebGpu: (() => Promise<{ create: (flags: string[]) => GPU }>) | undefined = undefined;
