/**
 * The recurrent family's configuration side: effective parameters (the generic RNN layer reads its
 * cell's config; Keras 2's CuDNNLSTM / CuDNNGRU fix their activations), output shapes, the weights
 * Keras creates and the notation / arithmetic / equations. Pure functions of config and shapes.
 */
import { InspectorError, type Layer, type Shape, type Weight } from '../model';
import { activationName } from '../math/activations';
import type { Description, ExpectedWeight } from './types';
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

const gm = (G: number, letter: string): string => (G === 1 ? letter : `${G}${letter}`);

export function rnnDescribe(p: RnnParams, shapes: (number | null)[][]): Description {
  const G = GATES[p.kind];
  const gates = GATE_NAMES[p.kind];
  const M = p.units;
  const D = shapes[0]?.[0] ?? null;
  const blocks = gates.length ? gates.map((gate, k) => ({ gate, columns: [k * M, (k + 1) * M] as [number, number] })) : undefined;
  const weights: Description['weights'] = [
    { symbol: 'Wx', notation: `D×${gm(G, 'M')}`, blocks },
    { symbol: 'Wh', notation: `M×${gm(G, 'M')}`, blocks },
  ];
  const twoRowBias = p.useBias && shapes[2]?.length === 2;
  if (p.useBias) {
    const cudnn = p.kind === 'CuDNNLSTM' || p.kind === 'CuDNNGRU';
    weights.push({ symbol: 'bh', notation: twoRowBias ? `2×${gm(G, 'M')}` : cudnn ? `${2 * G}M` : gm(G, 'M'), blocks });
  }
  let arithmetic: string | undefined;
  if (D != null) {
    const biasTerm = !p.useBias ? '' : twoRowBias || p.kind === 'CuDNNLSTM' || p.kind === 'CuDNNGRU' ? ` + 2×${M}` : ` + ${M}`;
    const per = (p.useBias ? (twoRowBias || p.kind.startsWith('CuDNN') ? 2 : 1) * M : 0) + D * M + M * M;
    const inner = `${D}×${M} + ${M}×${M}${biasTerm}`;
    arithmetic = G === 1 ? `${inner} = ${per}` : `${G}×(${inner}) = ${G * per}`;
  }
  const act = activationName(p.activation);
  const ract = activationName(p.recurrentActivation);
  const b = (g: string): string => (p.useBias ? ` + bh${g}` : '');
  let equations: string[];
  if (G === 1) {
    equations = [`h_t = ${act}(x_t·Wx + h_{t-1}·Wh${b('')})`];
  } else if (G === 4) {
    equations = [
      `i_t = ${ract}(x_t·Wx_i + h_{t-1}·Wh_i${b('_i')})`,
      `f_t = ${ract}(x_t·Wx_f + h_{t-1}·Wh_f${b('_f')})`,
      `c̃_t = ${act}(x_t·Wx_c + h_{t-1}·Wh_c${b('_c')})`,
      `o_t = ${ract}(x_t·Wx_o + h_{t-1}·Wh_o${b('_o')})`,
      `c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t`,
      `h_t = o_t ⊙ ${act}(c_t)`,
    ];
  } else if (p.resetAfter) {
    const bx = (g: string): string => (p.useBias ? ` + bx_${g}` : '');
    equations = [
      `z_t = ${ract}(x_t·Wx_z${bx('z')} + h_{t-1}·Wh_z${b('_z')})`,
      `r_t = ${ract}(x_t·Wx_r${bx('r')} + h_{t-1}·Wh_r${b('_r')})`,
      `h̃_t = ${act}(x_t·Wx_h${bx('h')} + r_t ⊙ (h_{t-1}·Wh_h${b('_h')}))`,
      `h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h̃_t`,
    ];
    if (p.useBias) equations.push('bx = bh[0] (input bias row), bh = bh[1] (recurrent bias row)');
  } else {
    equations = [
      `z_t = ${ract}(x_t·Wx_z + h_{t-1}·Wh_z${b('_z')})`,
      `r_t = ${ract}(x_t·Wx_r + h_{t-1}·Wh_r${b('_r')})`,
      `h̃_t = ${act}(x_t·Wx_h + (r_t ⊙ h_{t-1})·Wh_h${b('_h')})`,
      `h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h̃_t`,
    ];
  }
  return { weights, arithmetic, equations };
}

/**
 * Keras 2's CuDNNLSTM / CuDNNGRU keep their kernels in cuDNN's layout. What Keras does when it loads
 * them into LSTM / GRU (keras/engine/saving.py, _convert_rnn_weights, from_cudnn=True): per gate,
 * the input kernel k (D×M) becomes k.T.reshape((D, M), order='F') and the recurrent kernel k.T.
 * (Biases: CuDNNLSTM's 8M are summed in halves; CuDNNGRU's 6M are the two rows of reset_after.)
 */
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
