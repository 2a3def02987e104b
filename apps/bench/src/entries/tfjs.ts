import { checkClose } from '../check.js';
import type { BenchEntry, Direction, Family, GroupScope, RunOutput, SizedInput, Unavailable } from '../types.js';

type Tf = typeof import('@tensorflow/tfjs-core');
type Tensor = import('@tensorflow/tfjs-core').Tensor;
type TfBackend = 'cpu' | 'wasm';

const BACKEND_PACKAGES: Record<TfBackend, string> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
};

interface Tensors {
  x: Tensor;
  dy: Tensor;
  a: Tensor;
  b: Tensor;
}

/**
 * The group's tensors on one tfjs backend, made while that backend is active so every timed
 * call finds its data in place (tfjs would otherwise move it between backends).
 */
function tensorsOn(tf: Tf, backend: TfBackend, input: SizedInput, scope: GroupScope): Promise<Tensors> {
  return scope.once(
    `tfjs-${backend}`,
    async () => {
      await tf.setBackend(backend);
      const rows = input.n / input.channels;
      // Copies, so the cpu backend never holds (or could write) the shared input arrays.
      return {
        x: tf.tensor2d(input.x.slice(), [rows, input.channels]),
        dy: tf.tensor2d(input.dy.slice(), [rows, input.channels]),
        a: tf.tensor1d(input.a.slice()),
        b: tf.tensor1d(input.b.slice()),
      };
    },
    (t) => tf.dispose([t.x, t.dy, t.a, t.b]),
  );
}

/** Reads every output (what a caller of the op gets), then frees the tensors. */
function read(tf: Tf, outputs: Tensor[]): Float32Array[] {
  const values = outputs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outputs);
  return values;
}

type Peer = 'relu' | 'elu' | 'prelu';

/** The peer's own definition, forward and dx = dy·f′(x), for validation. */
function peerCheck(peer: Peer) {
  return (output: RunOutput, input: SizedInput, direction: Direction): string | null => {
    const { x, dy, a, channels, n } = input;
    const slope = (i: number) => (peer === 'relu' ? 0 : peer === 'elu' ? Math.exp(x[i] as number) : (a[i % channels] as number));
    if (direction === 'forward') {
      const want = (i: number) => {
        const v = x[i] as number;
        if (v > 0) return v;
        return peer === 'relu' ? 0 : peer === 'elu' ? Math.expm1(v) : (a[i % channels] as number) * v;
      };
      return checkClose(`tf.${peer}`, output as Float32Array, want, n);
    }
    const dx = (output as { dx: Float32Array }).dx;
    return checkClose(`tf.${peer} dx`, dx, (i) => (dy[i] as number) * ((x[i] as number) > 0 ? 1 : slope(i)), n);
  };
}

/**
 * @apalu/tfjs on tfjs's cpu and wasm backends, kernel and composed paths, beside tf.relu,
 * tf.elu and tf.prelu on the same backend. All rows run the same way: input tensors already
 * on the backend, the op (and tf.grads for backward), then dataSync of every output.
 */
export async function loadTfjs(): Promise<Family> {
  const tf: Tf = await import('@tensorflow/tfjs-core');
  const apaluTfjs = await import('@apalu/tfjs');
  apaluTfjs.registerApaluKernels();
  const entries: BenchEntry[] = [];
  const unavailable: Unavailable[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    try {
      await import(BACKEND_PACKAGES[backend]);
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
      await tf.ready();
    } catch (error) {
      const reason = `${BACKEND_PACKAGES[backend]} did not start: ${error instanceof Error ? error.message : String(error)}`;
      for (const path of ['kernel', 'composed']) unavailable.push({ id: `tfjs-${backend}-${path}`, source: '@apalu/tfjs', reason });
      continue;
    }
    const enter = async () => {
      if (tf.getBackend() !== backend) await tf.setBackend(backend);
    };
    const peers = (['relu', 'elu', 'prelu'] as const).map((p) => `tf.${p} (${backend})`);
    // precision 'fast': @apalu/wasm's float32 loops (composed class) in both backends' kernels;
    // on cpu also the kernels' JavaScript engine (@apalu/core's loops, no WebAssembly).
    type Variant = { path: 'kernel' | 'composed'; precision: 'strict' | 'fast'; engine?: 'js' };
    const variants: Variant[] = [
      { path: 'kernel', precision: 'strict' },
      { path: 'kernel', precision: 'fast' },
      ...(backend === 'cpu' ? [{ path: 'kernel', precision: 'strict', engine: 'js' } as const] : []),
      { path: 'composed', precision: 'strict' },
    ];
    for (const { path, precision, engine } of variants) {
      if (path === 'kernel' && !apaluTfjs.hasApaluKernel(backend)) {
        unavailable.push({ id: `tfjs-${backend}-kernel`, source: '@apalu/tfjs', reason: `no Apalu kernel registered for tfjs backend '${backend}'` });
        continue;
      }
      const fast = precision === 'fast';
      entries.push({
        id: `tfjs-${backend}-${path}${fast ? '-fast' : ''}${engine === 'js' ? '-js' : ''}`,
        role: 'apalu',
        source: '@apalu/tfjs',
        group: `tfjs ${backend}`,
        accuracy: path === 'kernel' && !fast ? 'strict' : 'composed',
        note: path === 'kernel' ? `registered kernel${fast ? ", precision 'fast'" : ''}${engine === 'js' ? ", cpu engine 'js'" : ''}` : 'tfjs ops',
        directions: ['forward', 'backward'],
        peers,
        ...(path === 'composed' ? { late: true } : {}),
        prepare: async (input, direction, scope) => {
          const t = await tensorsOn(tf, backend, input, scope);
          const f = (x: Tensor, a: Tensor, b: Tensor) => apaluTfjs.apalu(x, a, b, { path, precision });
          // The engine choice holds for the whole synchronous call (the gradient kernel runs inside tf.grads).
          const on = <T>(g: () => T) => apaluTfjs.withCpuKernelEngine(engine, g);
          if (direction === 'forward') return { enter, run: () => read(tf, [on(() => tf.tidy(() => f(t.x, t.a, t.b)))])[0] as Float32Array };
          const grads = tf.grads((x: Tensor, a: Tensor, b: Tensor) => f(x, a, b));
          return {
            enter,
            run: () => {
              const [dx, da, db] = read(tf, on(() => tf.tidy(() => grads([t.x, t.a, t.b], t.dy))));
              return { dx: dx as Float32Array, da: da as Float32Array, db: db as Float32Array };
            },
          };
        },
      });
    }
    for (const peer of ['relu', 'elu', 'prelu'] as const) {
      entries.push({
        id: `tf.${peer} (${backend})`,
        role: 'peer',
        source: BACKEND_PACKAGES[backend],
        group: `tfjs ${backend}`,
        directions: ['forward', 'backward'],
        check: peerCheck(peer),
        prepare: async (input, direction, scope) => {
          const t = await tensorsOn(tf, backend, input, scope);
          // prelu's alpha plays a's part: one trainable slope per channel, like APALU's a and b.
          const op = (x: Tensor, alpha: Tensor) => (peer === 'relu' ? tf.relu(x) : peer === 'elu' ? tf.elu(x) : tf.prelu(x, alpha));
          if (direction === 'forward') return { enter, run: () => read(tf, [tf.tidy(() => op(t.x, t.a))])[0] as Float32Array };
          // prelu also returns alpha's gradient (as APALU returns da, db); relu and elu have only dx.
          const gradients = peer === 'prelu' ? tf.grads((x: Tensor, alpha: Tensor) => op(x, alpha)) : null;
          const gradient = tf.grad((x: Tensor) => op(x, t.a));
          return {
            enter,
            run: () => {
              const [dx] = read(tf, tf.tidy(() => (gradients ? gradients([t.x, t.a], t.dy) : [gradient(t.x, t.dy)])));
              return { dx: dx as Float32Array };
            },
          };
        },
      });
    }
  }
  return { entries, unavailable };
}
