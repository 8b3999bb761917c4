/**
 * Convolution and pooling over 1 to 3 spatial axes, channels last, as TensorFlow computes them
 * ('valid' / 'same' padding, strides, dilation; 'same' puts the extra padding after). Shapes are
 * given as 3-tuples (unused axes are 1), so one loop nest serves Conv1D/2D/3D, ConvLSTM1D/2D/3D
 * and the pooling layers.
 */

export type Triple = [number, number, number];

/** Where a window op reads its input: sizes, window, strides, dilation, padding before, output sizes. */
export interface Geometry {
  S: Triple;
  K: Triple;
  st: Triple;
  dil: Triple;
  pad: Triple;
  O: Triple;
}

const pad3 = (v: number[], fill: number): Triple => [v[0] ?? fill, v[1] ?? fill, v[2] ?? fill];

/** Output size of one axis, as Keras computes it. */
export function windowOut(L: number, k: number, s: number, d: number, padding: string): number {
  if (padding === 'same') return Math.ceil(L / s);
  return Math.floor((L - (d * (k - 1) + 1)) / s) + 1;
}

/** The geometry of a window op over `spatial` sizes (1 to 3 axes). */
export function geometry(spatial: number[], kernel: number[], strides: number[], dilation: number[], padding: string): Geometry {
  const O: number[] = [];
  const pad: number[] = [];
  spatial.forEach((L, i) => {
    const k = kernel[i];
    const s = strides[i];
    const d = dilation[i];
    const o = windowOut(L, k, s, d, padding);
    O.push(o);
    pad.push(padding === 'same' ? Math.floor(Math.max((o - 1) * s + d * (k - 1) + 1 - L, 0) / 2) : 0);
  });
  return { S: pad3(spatial, 1), K: pad3(kernel, 1), st: pad3(strides, 1), dil: pad3(dilation, 1), pad: pad3(pad, 0), O: pad3(O, 1) };
}

/**
 * out[o, co] (+)= Σ_k Σ_ci x[o·st − pad + k·dil, ci] · W[k, ci, co] for one sample; `x` at `xOff`
 * holds S0·S1·S2·Cin values, `out` at `outOff` O0·O1·O2·Cout. W is Keras's kernel (*K, Cin, Cout).
 * Without `accumulate` the output starts from `bias` (or zeros).
 */
export function convSample(
  x: Float64Array,
  xOff: number,
  g: Geometry,
  Cin: number,
  W: Float64Array,
  Cout: number,
  out: Float64Array,
  outOff: number,
  bias: Float64Array | null,
  accumulate = false,
): void {
  const [S0, S1, S2] = g.S;
  const [K0, K1, K2] = g.K;
  const [O0, O1, O2] = g.O;
  for (let a = 0; a < O0; a++)
    for (let b = 0; b < O1; b++)
      for (let c = 0; c < O2; c++) {
        const oo = outOff + ((a * O1 + b) * O2 + c) * Cout;
        if (!accumulate) {
          if (bias) for (let f = 0; f < Cout; f++) out[oo + f] = bias[f];
          else out.fill(0, oo, oo + Cout);
        }
        for (let i = 0; i < K0; i++) {
          const p = a * g.st[0] - g.pad[0] + i * g.dil[0];
          if (p < 0 || p >= S0) continue;
          for (let j = 0; j < K1; j++) {
            const q = b * g.st[1] - g.pad[1] + j * g.dil[1];
            if (q < 0 || q >= S1) continue;
            for (let k = 0; k < K2; k++) {
              const r = c * g.st[2] - g.pad[2] + k * g.dil[2];
              if (r < 0 || r >= S2) continue;
              const xo = xOff + ((p * S1 + q) * S2 + r) * Cin;
              const wo = ((i * K1 + j) * K2 + k) * Cin * Cout;
              for (let ci = 0; ci < Cin; ci++) {
                const v = x[xo + ci];
                if (v === 0) continue;
                const w = wo + ci * Cout;
                for (let f = 0; f < Cout; f++) out[oo + f] += v * W[w + f];
              }
            }
          }
        }
      }
}

/**
 * Max or average pooling of one sample (channels last). Average counts only the positions inside
 * the input, as TensorFlow's avg_pool does with 'same' padding.
 */
export function poolSample(x: Float64Array, xOff: number, g: Geometry, C: number, max: boolean, out: Float64Array, outOff: number): void {
  const [S0, S1, S2] = g.S;
  const [K0, K1, K2] = g.K;
  const [O0, O1, O2] = g.O;
  const acc = new Float64Array(C);
  for (let a = 0; a < O0; a++)
    for (let b = 0; b < O1; b++)
      for (let c = 0; c < O2; c++) {
        acc.fill(max ? -Infinity : 0);
        let count = 0;
        for (let i = 0; i < K0; i++) {
          const p = a * g.st[0] - g.pad[0] + i;
          if (p < 0 || p >= S0) continue;
          for (let j = 0; j < K1; j++) {
            const q = b * g.st[1] - g.pad[1] + j;
            if (q < 0 || q >= S1) continue;
            for (let k = 0; k < K2; k++) {
              const r = c * g.st[2] - g.pad[2] + k;
              if (r < 0 || r >= S2) continue;
              const xo = xOff + ((p * S1 + q) * S2 + r) * C;
              count++;
              if (max) for (let f = 0; f < C; f++) acc[f] = Math.max(acc[f], x[xo + f]);
              else for (let f = 0; f < C; f++) acc[f] += x[xo + f];
            }
          }
        }
        const oo = outOff + ((a * O1 + b) * O2 + c) * C;
        for (let f = 0; f < C; f++) out[oo + f] = max ? acc[f] : acc[f] / Math.max(count, 1);
      }
}

/**
 * Moves the channel axis: channels_first (N, [T,] C, *S) ↔ channels_last (N, [T,] *S, C).
 * `lead` is the number of leading axes kept in place (1: N; 2: N, T).
 */
export function moveChannels(data: Float64Array, shape: number[], lead: number, toLast: boolean): { data: Float64Array; shape: number[] } {
  const outer = shape.slice(0, lead).reduce((a, b) => a * b, 1);
  const rest = shape.slice(lead);
  const C = toLast ? rest[0] : rest[rest.length - 1];
  const S = toLast ? rest.slice(1) : rest.slice(0, -1);
  const P = S.reduce((a, b) => a * b, 1);
  const out = new Float64Array(data.length);
  for (let o = 0; o < outer; o++) {
    const base = o * C * P;
    for (let c = 0; c < C; c++)
      for (let p = 0; p < P; p++) {
        if (toLast) out[base + p * C + c] = data[base + c * P + p];
        else out[base + c * P + p] = data[base + p * C + c];
      }
  }
  return { data: out, shape: [...shape.slice(0, lead), ...(toLast ? [...S, C] : [C, ...S])] };
}
