/**
 * Backward steps of the wrappers (wrappers.ts). Bidirectional: the merged gradient is split
 * between the two directions (concat: by columns; sum: both; ave: both halved; mul: each times
 * the other's output; None: one output each), the backward half's sequence gradient is flipped
 * back into its processing order, and each half runs its own BPTT. TimeDistributed: the inner
 * layer's backward step over the N·T steps at once.
 */
import { InspectorError, type Layer, type NDArray } from '../model';
import type { RnnTape } from '../math/bptt';
import type { BackwardCtx, BackwardResult, LayerSpec, Tensor, WeightGrad } from './types';
import { cfg, nd } from './util';
import { addInto } from './backwardUtil';
import { rnnExpectedWeights, rnnParams } from './recurrent';
import { rnnBackward } from './recurrentBackward';

/** What Bidirectional's forward step keeps. */
export interface BidirectionalKept {
  forward: RnnTape;
  backward: RnnTape;
  /** The forward half's output and the backward half's, in time order. */
  y: NDArray;
  yr: NDArray;
}

function flipTime(a: Float64Array, N: number, T: number, M: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) out.set(a.subarray((n * T + t) * M, (n * T + t + 1) * M), (n * T + (T - 1 - t)) * M);
  return out;
}

export function bidirectionalBackward(
  layer: Layer,
  parts: [Layer, Layer],
  inputs: Tensor[],
  dOutputs: (NDArray | null)[],
  ctx: BackwardCtx,
): BackwardResult {
  const x = inputs[0];
  const kept = ctx.kept as BidirectionalKept;
  const { y, yr } = kept;
  const mode = cfg(layer).merge_mode === undefined ? 'concat' : cfg(layer).merge_mode;
  const nMerged = mode === null ? 2 : 1;
  const M = y.shape[y.shape.length - 1];
  const rows = y.data.length / M;
  let dF: Float64Array | null = null;
  let dB: Float64Array | null = null;
  const d0 = dOutputs[0]?.data;
  if (mode === null) {
    dF = dOutputs[0]?.data ?? null;
    dB = dOutputs[1]?.data ?? null;
  } else if (d0) {
    dF = new Float64Array(rows * M);
    dB = new Float64Array(rows * M);
    if (mode === 'concat') {
      for (let i = 0; i < rows; i++) {
        dF.set(d0.subarray(i * 2 * M, i * 2 * M + M), i * M);
        dB.set(d0.subarray(i * 2 * M + M, (i + 1) * 2 * M), i * M);
      }
    } else if (mode === 'sum') {
      dF.set(d0);
      dB.set(d0);
    } else if (mode === 'ave') {
      for (let i = 0; i < d0.length; i++) dF[i] = dB[i] = d0[i] / 2;
    } else if (mode === 'mul') {
      for (let i = 0; i < d0.length; i++) {
        dF[i] = d0[i] * yr.data[i];
        dB[i] = d0[i] * y.data[i];
      }
    } else throw new InspectorError('', `no backward step for merge_mode '${mode}' (layer ${layer.name})`);
  }
  const seq = y.shape.length === 3;
  const [N, T] = x.array.shape;
  if (seq && dB) dB = flipTime(dB, N, T, M);
  const states = dOutputs.slice(nMerged);
  const half = states.length / 2;
  const dInput = new Float64Array(x.array.data.length);
  const dWeights: WeightGrad[] = [];
  const norms: NonNullable<BackwardResult['hiddenGradNorms']> = [];
  parts.forEach((part, k) => {
    const p = rnnParams(part, part.weights);
    p.zeroOutputForMask = p.returnSequences; // as Keras forces it, and as the forward step ran
    const d = k === 0 ? dF : dB;
    const dY = d ? nd(seq ? [N, T, M] : [N, M], d) : null;
    const r = rnnBackward({
      layer: part,
      p,
      x,
      expected: rnnExpectedWeights(p, [null, ...x.array.shape.slice(1)]),
      tape: k === 0 ? kept.forward : kept.backward,
      dOutputs: [dY, ...states.slice(k * half, (k + 1) * half)],
      ctx,
    });
    if (r.dInputs[0]) addInto(dInput, r.dInputs[0].data);
    for (const w of r.dWeights) dWeights.push({ ...w, path: `${part.name}/${w.path}` });
    norms.push({ ...r.hiddenGradNorms![0], direction: k === 0 ? 'forward' : 'backward' });
  });
  return { dInputs: [nd(x.array.shape.slice(), dInput)], dWeights, hiddenGradNorms: norms };
}

export function timeDistributedBackward(
  layer: Layer,
  inner: Layer,
  spec: LayerSpec,
  inputs: Tensor[],
  outputs: Tensor[],
  dOutputs: (NDArray | null)[],
  ctx: BackwardCtx,
): BackwardResult {
  if (!spec.backward) throw new InspectorError('', `no backward step for layer ${layer.name} (${inner.className} inside ${layer.className})`);
  const x = inputs[0].array;
  const [N, T, ...rest] = x.shape;
  const flat = (a: NDArray): NDArray => nd([N * T, ...a.shape.slice(2)], a.data);
  const r = spec.backward(
    inner,
    [{ array: nd([N * T, ...rest], x.data), mask: null }],
    outputs.map((o) => ({ array: flat(o.array), mask: null })),
    dOutputs.map((d) => (d ? flat(d) : null)),
    ctx,
  );
  const dx = r.dInputs[0];
  return {
    dInputs: [dx ? nd(x.shape.slice(), dx.data) : null],
    dWeights: r.dWeights.map((w) => ({ ...w, path: `${inner.name}/${w.path}` })),
  };
}
