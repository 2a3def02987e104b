import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm 4.22.0 registers Conv2D and Conv2DBackpropInput but no
 * Conv2DBackpropFilter, so no Conv2D kernel can be trained on it. This fills the one gap:
 * the filter gradient of an NHWC, dilation-1 convolution, computed in JS from the
 * backend's public readSync/write (shapes and padding come from tfjs's own computeConv2DInfo).
 */
interface PublicBackend {
  readSync(dataId: object): unknown;
  write(values: Float32Array, shape: number[], dtype: 'float32'): object;
}

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function conv2dFilterGradient(
  x: Float32Array,
  xShape: readonly number[],
  dy: Float32Array,
  attrs: Attrs,
): { values: Float32Array; shape: [number, number, number, number] } {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm fill-in): dataFormat ${attrs.dataFormat} is not supported; use NHWC (the tfjs default).`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight: H, inWidth: W, inChannels: ci, outHeight: oH, outWidth: oW, outChannels: co } = info;
  const { filterHeight: fH, filterWidth: fW, strideHeight: sH, strideWidth: sW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dW = new Float32Array(fH * fW * ci * co);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < oH; yR++) {
      for (let yC = 0; yC < oW; yC++) {
        const dyOff = ((b * oH + yR) * oW + yC) * co;
        for (let wR = 0; wR < fH; wR++) {
          const xR = yR * sH + wR - top;
          if (xR < 0 || xR >= H) continue;
          for (let wC = 0; wC < fW; wC++) {
            const xC = yC * sW + wC - left;
            if (xC < 0 || xC >= W) continue;
            const xOff = ((b * H + xR) * W + xC) * ci;
            const wOff = (wR * fW + wC) * ci * co;
            for (let d1 = 0; d1 < ci; d1++) {
              const xv = x[xOff + d1] as number;
              if (xv === 0) continue;
              const o = wOff + d1 * co;
              for (let d2 = 0; d2 < co; d2++) dW[o + d2]! += xv * (dy[dyOff + d2] as number);
            }
          }
        }
      }
    }
  }
  return { values: dW, shape: [fH, fW, ci, co] };
}

let registered = false;

/** Registers the fill-in for the wasm backend unless tfjs already has one (idempotent). */
export function registerConv2DBackpropFilterWasm(): void {
  if (registered || tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const pub = backend as unknown as PublicBackend;
      const r = conv2dFilterGradient(pub.readSync(x.dataId) as Float32Array, x.shape, pub.readSync(dy.dataId) as Float32Array, attrs as unknown as Attrs);
      return { dataId: pub.write(r.values, r.shape, 'float32'), shape: r.shape, dtype: 'float32' };
    },
  });
}
