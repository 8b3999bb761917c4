/**
 * The losses of the backward pass, each as Keras 3 computes it for one model output with the
 * default reduction "sum_over_batch_size" (keras/src/losses/loss.py, backend/tensorflow/nn.py):
 *
 *   mse                              mean over the last axis of (y − t)², then the mean over the rest
 *   categorical_crossentropy         −Σ t·log(p/Σp) over the last axis (p clipped to [1e-7, 1 − 1e-7]
 *                                    unless the output carries its logits), mean over the rest
 *   sparse_categorical_crossentropy  the same with integer class ids (t has no class axis)
 *   binary_crossentropy              −mean over the last axis of t·log p + (1 − t)·log(1 − p)
 *
 * A Keras mask on the output (N, T) weighs the per-step losses: the mean runs over unmasked steps
 * only (Keras's apply_mask: weight total/valid on valid entries, 0 elsewhere).
 * Each function returns the loss and dL/dy, the gradient the backward pass starts from.
 */
import { InspectorError, type NDArray } from './model';

export const LOSSES = ['mse', 'categorical_crossentropy', 'binary_crossentropy', 'sparse_categorical_crossentropy'] as const;
export type LossName = (typeof LOSSES)[number];

export interface LossValue {
  value: number;
  /** dL/dy, the shape of the output. */
  dY: NDArray;
}

const EPS = 1e-7; // keras.config.epsilon()

export function isLossName(s: string): s is LossName {
  return (LOSSES as readonly string[]).includes(s);
}

function same(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Loss and dL/dy for one output y with target t. `logits`: the output is a softmax / sigmoid whose
 * logits Keras keeps (no clipping then). `mask`: one flag per row of the last axis, or null.
 */
export function lossAndGrad(loss: LossName, y: NDArray, t: NDArray, mask: Uint8Array | null, logits = false, where = 'output'): LossValue {
  const K = y.shape[y.shape.length - 1];
  const rows = y.data.length / K;
  let tgt = t;
  if (loss === 'sparse_categorical_crossentropy') {
    // Keras squeezes a trailing axis of 1 on the targets.
    const ts = t.shape.length === y.shape.length && t.shape[t.shape.length - 1] === 1 ? t.shape.slice(0, -1) : t.shape;
    if (!same(ts, y.shape.slice(0, -1))) {
      throw new InspectorError('', `${where}: targets of shape (${t.shape.join(', ')}) do not match the output (${y.shape.join(', ')}): sparse categorical targets hold one class id per row`);
    }
    tgt = { shape: ts, data: t.data };
  } else if (!same(t.shape, y.shape)) {
    throw new InspectorError('', `${where}: targets of shape (${t.shape.join(', ')}) do not match the output shape (${y.shape.join(', ')})`);
  }
  if (mask && mask.length !== rows) mask = null;
  // Weight of each row in the mean: 1/rows, or 1/valid on unmasked rows.
  let valid = rows;
  if (mask) valid = mask.reduce((s, m) => s + (m ? 1 : 0), 0);
  const w = (r: number): number => (mask && !mask[r] ? 0 : valid === 0 ? 0 : 1 / valid);
  const dY = new Float64Array(y.data.length);
  const yd = y.data;
  const td = tgt.data;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const wr = w(r);
    const o = r * K;
    let l = 0;
    if (loss === 'mse') {
      for (let k = 0; k < K; k++) {
        const e = yd[o + k] - td[o + k];
        l += e * e;
        dY[o + k] = (wr * 2 * e) / K;
      }
      l /= K;
    } else if (loss === 'binary_crossentropy') {
      for (let k = 0; k < K; k++) {
        const p = yd[o + k];
        const tk = td[o + k];
        const pc = logits ? p : Math.min(Math.max(p, EPS), 1 - EPS);
        l -= tk * Math.log(pc) + (1 - tk) * Math.log(1 - pc);
        const inside = logits || (p > EPS && p < 1 - EPS);
        dY[o + k] = inside ? (wr * (-tk / pc + (1 - tk) / (1 - pc))) / K : 0;
      }
      l /= K;
    } else {
      // Cross-entropy on p / Σp (clipped), whose gradient in p is (g − Σ g·q) / Σp.
      let s = 0;
      for (let k = 0; k < K; k++) s += yd[o + k];
      const sparse = loss === 'sparse_categorical_crossentropy';
      const id = sparse ? td[r] : -1;
      if (sparse && !(Number.isInteger(id) && id >= 0 && id < K)) {
        throw new InspectorError('', `${where}: class id ${id} is outside 0…${K - 1}`);
      }
      let gq = 0;
      for (let k = 0; k < K; k++) {
        const tk = sparse ? (k === id ? 1 : 0) : td[o + k];
        const q = logits ? yd[o + k] / s : Math.min(Math.max(yd[o + k] / s, EPS), 1 - EPS);
        const inside = logits || (yd[o + k] / s > EPS && yd[o + k] / s < 1 - EPS);
        if (tk !== 0) l -= tk * Math.log(q);
        const g = inside && tk !== 0 ? -tk / q : 0;
        dY[o + k] = g;
        gq += g * (yd[o + k] / s);
      }
      for (let k = 0; k < K; k++) dY[o + k] = (wr * (dY[o + k] - gq)) / s;
    }
    total += wr * l;
  }
  return { value: total, dY: { shape: y.shape.slice(), data: dY } };
}
