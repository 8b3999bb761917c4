/**
 * The recurrent family's configuration side: effective parameters (the generic RNN layer reads its
 * cell's config; Keras 2's CuDNNLSTM / CuDNNGRU fix their activations), output shapes, the weights
 * Keras creates and the notation / arithmetic / equations. Pure functions of config and shapes.
 */
import { InspectorError, type Layer, type Shape, type Weight } from '../model';
import type { Description, ExpectedWeight, NotationCtx } from './types';
import { rnnNotation } from './rnnNotation';
import { cfg, lastDim, normRole } from './util';

export type RnnKind = 'SimpleRNN' | 'LSTM' | 'GRU' | 'CuDNNLSTM' | 'CuDNNGRU';

export const GATES: Record<RnnKind, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3, CuDNNLSTM: 4, CuDNNGRU: 3 };
const GATE_NAMES: Record<RnnKind, string[]> = {
  SimpleRNN: [],
  LSTM: ['i', 'f', 'c', 'o'],
  CuDNNLSTM: ['i', 'f', 'c', 'o'],
  GRU: ['z', 'r', 'h'],
  CuDNNGRU: ['z', 'r', 'h'],
};
const CELL_KIND: Record<string, RnnKind> = { SimpleRNNCell: 'SimpleRNN', LSTMCell: 'LSTM', GRUCell: 'GRU' };

export interface RnnParams {
  kind: RnnKind;
  units: number;
  activation: unknown;
  recurrentActivation: unknown;
  useBias: boolean;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  /** GRU only. */
  resetAfter: boolean;
  zeroOutputForMask: boolean;
}

/** The effective recurrent config of a layer (the generic `RNN` layer reads its cell's config). */
export function rnnParams(layer: Layer, stored?: Weight[]): RnnParams {
  const c = cfg(layer);
  let kind = layer.className as RnnKind;
  let cell: Record<string, any> = c;
  if (layer.className === 'RNN') {
    const cellCfg = c.cell;
    const cls = cellCfg?.class_name as string | undefined;
    if (!cls || !CELL_KIND[cls]) throw new InspectorError('', `not supported: RNN cell ${cls ?? '?'} (layer ${layer.name})`);
    kind = CELL_KIND[cls];
    cell = cellCfg.config ?? {};
  }
  const units = Number(cell.units ?? cell.output_dim);
  const cudnn = kind === 'CuDNNLSTM' || kind === 'CuDNNGRU';
  let resetAfter = kind === 'CuDNNGRU' ? true : kind === 'GRU' ? Boolean(cell.reset_after ?? false) : false;
  if (kind === 'GRU' && stored) {
    // The stored bias decides: (2, 3M) is reset_after, (3M,) is not (Keras 2.0 files have no key).
    const b = stored.find((w) => normRole(w.role) === 'bias');
    if (b) resetAfter = b.shape.length === 2;
  }
  return {
    kind,
    units,
    activation: cudnn ? 'tanh' : cell.activation ?? 'tanh',
    recurrentActivation: cudnn ? 'sigmoid' : cell.recurrent_activation ?? (kind === 'SimpleRNN' ? undefined : 'sigmoid'),
    useBias: cudnn ? true : cell.use_bias ?? true,
    returnSequences: Boolean(c.return_sequences),
    returnState: Boolean(c.return_state),
    goBackwards: Boolean(c.go_backwards),
    resetAfter,
    zeroOutputForMask: Boolean(c.zero_output_for_mask),
  };
}

export function rnnOutputShapes(p: RnnParams, input: Shape): Shape[] {
  const b = input[0] ?? null;
  const out: Shape[] = [p.returnSequences ? [b, input[1] ?? null, p.units] : [b, p.units]];
  if (p.returnState) {
    const nStates = p.kind === 'LSTM' || p.kind === 'CuDNNLSTM' ? 2 : 1;
    for (let i = 0; i < nStates; i++) out.push([b, p.units]);
  }
  return out;
}

export function rnnExpectedWeights(p: RnnParams, input: Shape): ExpectedWeight[] {
  const G = GATES[p.kind];
  const M = p.units;
  const D = lastDim(input);
  const w: ExpectedWeight[] = [
    { role: 'kernel', shape: [D, G * M], trainable: true },
    { role: 'recurrent_kernel', shape: [M, G * M], trainable: true },
  ];
  if (p.useBias) {
    let shape: number[];
    if (p.kind === 'CuDNNLSTM' || p.kind === 'CuDNNGRU') shape = [2 * G * M];
    else if (p.kind === 'GRU' && p.resetAfter) shape = [2, G * M];
    else shape = [G * M];
    w.push({ role: 'bias', shape, trainable: true });
  }
  return w;
}

/** The notebooks' notation of this layer (rnnNotation.ts), with its gates in Keras's column order. */
export function rnnDescribe(p: RnnParams, shapes: (number | null)[][], where?: NotationCtx, name = ''): Description {
  return rnnNotation(p, GATE_NAMES[p.kind], shapes, where, name);
}

export function cudnnKernels(Wx: Float64Array, Wh: Float64Array, D: number, M: number, G: number): [Float64Array, Float64Array] {
  const GM = G * M;
  const x = new Float64Array(Wx.length);
  const h = new Float64Array(Wh.length);
  for (let g = 0; g < G; g++) {
    // new[a, b] = k.flat[a + b·D] where k = Wx[:, gM:(g+1)M] in C order.
    for (let a = 0; a < D; a++)
      for (let b = 0; b < M; b++) {
        const q = a + b * D;
        const r = Math.floor(q / M);
        const c = q % M;
        x[a * GM + g * M + b] = Wx[r * GM + g * M + c];
      }
    for (let a = 0; a < M; a++) for (let b = 0; b < M; b++) h[a * GM + g * M + b] = Wh[b * GM + g * M + a];
  }
  return [x, h];
}
