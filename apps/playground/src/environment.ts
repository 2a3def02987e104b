/** What the page runs on: the WebGPU adapter every GPU backend here gets, and isolation. */
export interface GpuAdapterSummary {
  available: boolean;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  error?: string;
}

export async function describeAdapter(): Promise<GpuAdapterSummary> {
  if (!('gpu' in navigator)) return { available: false, error: 'navigator.gpu is missing (WebGPU needs a secure context and a browser that ships it)' };
  try {
    // The backends here all ask for the default adapter, so this is the one they run on.
    const adapter = await navigator.gpu.requestAdapter();
    if (adapter === null) return { available: false, error: 'requestAdapter() returned null' };
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const legacyFallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
    return {
      available: true,
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter ?? legacyFallback,
    };
  } catch (error) {
    return { available: false, error: String(error) };
  }
}

export function formatAdapter(a: GpuAdapterSummary): string {
  if (!a.available) return `WebGPU adapter: none — ${a.error ?? 'unknown reason'}`;
  const parts = [a.vendor, a.architecture, a.device, a.description].filter((p) => p !== undefined && p !== '');
  return `WebGPU adapter: ${parts.join(' · ') || '(no details given)'}${a.isFallbackAdapter ? ' (fallback/software adapter)' : ''}`;
}

export function formatIsolation(): string {
  return `crossOriginIsolated: ${String(globalThis.crossOriginIsolated)} (threaded WASM ${globalThis.crossOriginIsolated ? 'available' : 'unavailable'}) · ${navigator.hardwareConcurrency} logical cores`;
}
