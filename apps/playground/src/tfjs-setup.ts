import type { TfBackendName } from '@apalu/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

let wasmPathsSet = false;

/**
 * Registers a tfjs backend before @apalu/tfjs asks for it: its own fallback imports the package
 * by a computed name, which a browser bundle cannot resolve. The wasm backend is told where
 * the bundler put its three .wasm builds (it picks threaded SIMD when the page is isolated).
 */
export async function registerTfBackend(name: TfBackendName): Promise<void> {
  if (name === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsSet) {
      wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
      });
      wasmPathsSet = true;
    }
  } else if (name === 'webgl') {
    await import('@tensorflow/tfjs-backend-webgl');
  } else {
    await import('@tensorflow/tfjs-backend-webgpu');
  }
}
