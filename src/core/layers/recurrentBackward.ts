/**
 * The backward step of the recurrent family (SimpleRNN, LSTM, GRU, RNN(cell), CuDNN*): BPTT over
 * the tape the forward engine kept (math/bptt.ts), then the weight gradients as products:
 *
 *   dWx = Σ_{n,t} x_tᵀ·δx_t      dWh = Σ_{n,t} h_{t-1}ᵀ·δh_t      db = Σ δx_t (GRU reset_after: [Σ δx_t; Σ δh_t])
 *   dx_t = δx_t·Wxᵀ
 *
 * where δx_t, δh_t are dL/d(gate pre-activations) on the input and recurrent side.
 */
import { InspectorError, type Layer, type NDArray } from '../model';
import { gemmT } from '../math/kernels';
import { resolveActivation, activationName, isKeras2, type Activation } from '../math/activations';
import { fastBptt, fastBpttCodes } from '../math/fastBptt';
import { activationGrad, type ActivationGrad } from '../math/activationGrads';
import { accColSums, accTN, bptt, type CellKind, type RnnTape } from '../math/bptt';
import type { BackwardCtx, BackwardResult, ExpectedWeight, Tensor, WeightGrad } from './types';
import { bindWeights, cfg, matchWeights } from './util';
import { isTrainable, wantsInputGrad } from './backwardUtil';
import type { RnnParams } from './rnnParams';

/** The recurrent config the backward step reads: RnnParams, with the class as the layer names it (CuDNN ones included). */
export type BackwardRnnParams = Omit<RnnParams, 'kind'> & { kind: string };

const CELL_PATH: Record<string, string> = {
  SimpleRNN: 'simple_rnn_cell',
  LSTM: 'lstm_cell',
  GRU: 'gru_cell',
  CuDNNLSTM: 'lstm_cell',
  CuDNNGRU: 'gru_cell',
};

function acts(spec: unknown, layer: Layer, kerasVersion?: string): [Activation, ActivationGrad] {
  const act = resolveActivation(spec, kerasVersion);
  const g = act && activationGrad(act, kerasVersion);
  if (!act || !g) throw new InspectorError('', `no backward step for activation '${activationName(spec)}' (layer ${layer.name})`);
  return [act, g];
}

/** The variable path below the layer, as Keras 3 names the cell's weights. */
export function cellPath(layer: Layer, kind: string): string {
  const c = cfg(layer).cell;
  if (c && typeof c === 'object' && c.config?.name) return String(c.config.name);
  return CELL_PATH[kind] ?? `${kind.toLowerCase()}_cell`;
}

export interface RnnBackwardArgs {
  layer: Layer;
  p: BackwardRnnParams;
  x: Tensor;
  /** The weights Keras creates for this layer: [kernel, recurrent_kernel, bias?]. */
  expected: ExpectedWeight[];
  tape: RnnTape;
  /** [dY, dh_final?, dc_final?] (return_state adds the states). */
  dOutputs: (NDArray | null)[];
  ctx: BackwardCtx;
}

/** dL/dx and dL/d(Wx, Wh, b) for one recurrent layer (one direction of a Bidirectional). */
export function rnnBackward(a: RnnBackwardArgs): BackwardResult {
  const { layer, p, x, tape } = a;
  const [N, T, D] = x.array.shape;
  const M = p.units;
  const [Wx, Wh, bias] = bindWeights(layer, a.expected);
  const stored = matchWeights(layer.weights, a.expected);
  const shapes = a.expected.map((e) => e.shape as number[]);
  const GM = Wx.length / D;
  const G = GM / M;
  const cell: CellKind = G === 1 ? 'simple' : G === 4 ? 'lstm' : p.resetAfter || (bias && bias.length === 2 * GM) ? 'gruAfter' : 'gruBefore';
  const kv = a.ctx.kerasVersion;
  const [act, actGrad] = acts(p.activation, layer, kv);
  const [ract, ractGrad] = G > 1 ? acts(p.recurrentActivation, layer, kv) : [act, actGrad];
  const [dY, dH, dC] = a.dOutputs;
  const input = {
    N,
    T,
    M,
    cell,
    goBackwards: p.goBackwards,
    returnSequences: p.returnSequences,
    zeroOutputForMask: p.zeroOutputForMask,
    mask: x.mask,
    tape,
    Wh,
    act,
    actGrad,
    ract,
    ractGrad,
    dY: dY?.data ?? null,
    dH: dH?.data ?? null,
    dC: dC?.data ?? null,
  };
  const trainable = isTrainable(layer);
  const prefix = cellPath(layer, p.kind);
  const wantDx = wantsInputGrad(a.ctx, 0);

  // Batched over the samples on the SIMD kernels where they apply; else the reference below.
  const codes = a.ctx.engine === 'reference' || !actGrad.d || !ractGrad.d ? null : fastBpttCodes(act, ract, isKeras2(kv));
  const fast = codes && fastBptt({ ...input, x: x.array.data, D, Wx, wantDx, actCode: codes[0], ractCode: codes[1] });
  if (fast) {
    const dWeights: WeightGrad[] = [];
    if (trainable) {
      dWeights.push({ path: `${prefix}/kernel`, shape: shapes[0], data: fast.dWx, weight: stored[0] });
      dWeights.push({ path: `${prefix}/recurrent_kernel`, shape: shapes[1], data: fast.dWh, weight: stored[1] });
      if (bias) {
        const db = new Float64Array(bias.length);
        db.set(fast.dbIn);
        if (bias.length === 2 * GM) db.set(fast.dbRec ?? fast.dbIn, GM); // CuDNNLSTM: both biases see the same δ
        dWeights.push({ path: `${prefix}/bias`, shape: shapes[2], data: db, weight: stored[2] });
      }
    }
    return { dInputs: [fast.dX ? { shape: [N, T, D], data: fast.dX } : null], dWeights, hiddenGradNorms: [{ norms: fast.norms, engine: 'fast' }] };
  }

  if (!tape.pre.length && tape.h.length) throw new InspectorError('', `internal: layer ${layer.name}'s tape was kept by the SIMD kernels but its batched BPTT could not run`);
  const out = bptt(input);
  const rows = N * T;
  let dX: NDArray | null = null;
  if (wantDx) {
    const d = new Float64Array(rows * D);
    gemmT(out.dPreX, 0, GM, rows, GM, Wx, 0, D, d, 0, D, false);
    dX = { shape: [N, T, D], data: d };
  }
  const dWeights: WeightGrad[] = [];
  if (trainable) {
    const dWx = new Float64Array(D * GM);
    accTN(x.array.data, D, 0, rows, D, out.dPreX, GM, 0, GM, dWx, GM, 0);
    const dWh = new Float64Array(M * GM);
    if (cell === 'gruBefore') {
      accTN(out.hPrev, M, 0, rows, M, out.dPreH, GM, 0, 2 * M, dWh, GM, 0);
      accTN(out.rhPrev!, M, 0, rows, M, out.dPreH, GM, 2 * M, M, dWh, GM, 2 * M);
    } else accTN(out.hPrev, M, 0, rows, M, out.dPreH, GM, 0, GM, dWh, GM, 0);
    dWeights.push({ path: `${prefix}/kernel`, shape: shapes[0], data: dWx, weight: stored[0] });
    dWeights.push({ path: `${prefix}/recurrent_kernel`, shape: shapes[1], data: dWh, weight: stored[1] });
    if (bias) {
      const db = new Float64Array(bias.length);
      accColSums(out.dPreX, GM, 0, rows, GM, db, 0);
      if (bias.length === 2 * GM) accColSums(out.dPreH, GM, 0, rows, GM, db, GM);
      dWeights.push({ path: `${prefix}/bias`, shape: shapes[2], data: db, weight: stored[2] });
    }
  }
  return { dInputs: [dX], dWeights, hiddenGradNorms: [{ norms: out.norms, engine: 'reference' }] };
}
