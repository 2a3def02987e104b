import { defineConfig } from 'vite';

/**
 * Cross-origin isolation (COOP + COEP) turns on SharedArrayBuffer, which threaded WASM needs
 * (tfjs-wasm threads, onnxruntime-web threads, @apalu/wasm workers). Served in dev and preview.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// One copy of each of these, whichever workspace package imports it: tfjs keeps its kernel
// registry in module state, so a second tfjs-core would miss the kernels @apalu/tfjs registers.
const singletons = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-layers',
  'onnxruntime-web',
];

export default defineConfig({
  base: './',
  resolve: { dedupe: singletons },
  // onnxruntime-web finds its .wasm with new URL(…, import.meta.url), which pre-bundling would
  // break. (tfjs-backend-wasm is told its .wasm URLs in src/tfjs-setup.ts, and it must be
  // pre-bundled: its wasm-out/*.js files are CommonJS.)
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { host: '127.0.0.1', port: 5173, headers: isolation },
  preview: { host: '127.0.0.1', port: 4173, headers: isolation },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs and onnxruntime-web are large by nature; they load lazily, per backend.
    chunkSizeWarningLimit: 4096,
    // tfjs-backend-wasm starts its threads from factory.toString() (a blob worker): any
    // minification (even compress without mangling) breaks the closure the source relies on
    // ("_scriptDir is not defined" in the worker), so the bundle stays unminified.
    minify: false,
  },
});
