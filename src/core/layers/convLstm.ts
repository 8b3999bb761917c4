/**
 * ConvLSTM1D / 2D / 3D: an LSTM whose products are convolutions (Keras's ConvLSTMCell):
 *   z = conv(x_t, Wx; strides, padding, dilation) + b + conv(h_{t-1}, Wh; stride 1, 'same')
 *   i, f, c̃, o = ract(z_i), ract(z_f), act(z_c), ract(z_o)      (gate blocks of F filters)
 *   c_t = f ⊙ c_{t-1} + i ⊙ c̃,   h_t = o ⊙ act(c_t)
 * Kernel (*k, C, 4F), recurrent kernel (*k, F, 4F), bias 4F; return_sequences, return_state,
 * go_backwards (sequence in processing order, as Keras), data_format, initial_state=[h, c].
 */
import { InspectorError, type Layer, type Shape } from '../model';
import { activationName, applyActivation, resolveActivation, type Activation } from '../math/activations';
import { convSample, geometry, moveChannels } from '../math/convNd';
import type { ExpectedWeight, LayerSpec, Tensor } from './types';
import { bindWeights, cfg, nd } from './util';
import { joinShape, splitShape, windowParams, windowShape } from './convNd';

function params(layer: Layer, rank: number) {
  const c = cfg(layer);
  return {
    ...windowParams(layer, rank),
    F: Number(c.filters ?? c.nb_filter),
    activation: c.activation ?? 'tanh',
    recurrentActivation: c.recurrent_activation ?? 'sigmoid',
    useBias: c.use_bias ?? true,
    returnSequences: Boolean(c.return_sequences),
    returnState: Boolean(c.return_state),
    goBackwards: Boolean(c.go_backwards),
  };
}

function expected(layer: Layer, rank: number, s: Shape): ExpectedWeight[] {
  const p = params(layer, rank);
  const { C } = splitShape(s, 2, p.channelsFirst);
  const e: ExpectedWeight[] = [
    { role: 'kernel', shape: [...p.kernel, C, 4 * p.F], trainable: true },
    { role: 'recurrent_kernel', shape: [...p.kernel, p.F, 4 * p.F], trainable: true },
  ];
  if (p.useBias) e.push({ role: 'bias', shape: [4 * p.F], trainable: true });
  return e;
}

function need(act: Activation | null, spec: unknown, layer: Layer): Activation {
  if (!act) throw new InspectorError('', `not supported: activation '${activationName(spec)}' (layer ${layer.name})`);
  return act;
}

export function convLstmSpec(rank: number): LayerSpec {
  return {
    outputShapes(layer, inputs) {
      const s = inputs[0];
      if (!s) throw new InspectorError('', `layer ${layer.name} (${layer.className}) has no input`);
      const p = params(layer, rank);
      const O = windowShape(splitShape(s, 2, p.channelsFirst).spatial, p);
      const state = joinShape([s[0] ?? null], O, p.F, p.channelsFirst);
      const y = p.returnSequences ? joinShape([s[0] ?? null, s[1] ?? null], O, p.F, p.channelsFirst) : state;
      return p.returnState ? [y, state, state.slice()] : [y];
    },
    expectedWeights(layer, inputs) {
      return expected(layer, rank, inputs[0] ?? []);
    },
    describe(layer, _inputs, shapes) {
      const p = params(layer, rank);
      const k = p.kernel.join('·');
      const [kx, kh] = shapes;
      const C = kx?.[rank];
      const F = p.F;
      const kk = p.kernel.reduce((a, b) => a * b, 1);
      const blocks = ['i', 'f', 'c', 'o'].map((gate, j) => ({ gate, columns: [j * F, (j + 1) * F] as [number, number] }));
      return {
        weights: [
          { symbol: 'Wx', notation: `${p.kernel.map(() => 'k').join('×')}×C×4F`, blocks },
          { symbol: 'Wh', notation: `${p.kernel.map(() => 'k').join('×')}×F×4F`, blocks },
          ...(p.useBias ? [{ symbol: 'bh', notation: '4F', blocks }] : []),
        ],
        arithmetic: C != null && kh ? `4×(${k}×${C}×${F} + ${k}×${F}×${F}${p.useBias ? ` + ${F}` : ''}) = ${4 * (kk * C * F + kk * F * F + (p.useBias ? F : 0))}` : undefined,
        equations: [
          `z_t = Wx ∗ x_t + Wh ∗ h_{t-1}${p.useBias ? ' + bh' : ''}   (∗: convolution; Wx: padding ${p.padding}, Wh: 'same')`,
          `i_t, f_t, o_t = ${activationName(p.recurrentActivation)}(z_i), …(z_f), …(z_o);  c̃_t = ${activationName(p.activation)}(z_c)`,
          'c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t',
          `h_t = o_t ⊙ ${activationName(p.activation)}(c_t)`,
        ],
      };
    },
    forward(layer, inputs, ctx): Tensor[] {
      const x = inputs[0];
      const p = params(layer, rank);
      if (x.array.shape.length !== rank + 3) throw new InspectorError('', `layer ${layer.name} (${layer.className}) expects a ${rank + 3}-D input, got ${x.array.shape.length}-D`);
      const xl = p.channelsFirst ? moveChannels(x.array.data, x.array.shape, 2, true) : { data: x.array.data, shape: x.array.shape };
      const [N, T, ...rest] = xl.shape;
      const Cin = rest[rank];
      const F = p.F;
      const [W, Wh, b] = bindWeights(layer, expected(layer, rank, [null, null, ...x.array.shape.slice(2)]));
      const act = need(resolveActivation(p.activation, ctx.kerasVersion), p.activation, layer);
      const ract = need(resolveActivation(p.recurrentActivation, ctx.kerasVersion), p.recurrentActivation, layer);
      const g = geometry(rest.slice(0, rank), p.kernel, p.strides, p.dilation, p.padding);
      const O = g.O.slice(0, rank);
      const P = g.O[0] * g.O[1] * g.O[2];
      const gr = geometry(O, p.kernel, O.map(() => 1), O.map(() => 1), 'same');
      const init = inputs.slice(1).map((s) => (p.channelsFirst ? moveChannels(s.array.data, s.array.shape, 1, true).data : s.array.data));
      if (init.length && (init.length !== 2 || init.some((s) => s.length !== N * P * F))) {
        throw new InspectorError('', `layer ${layer.name} (${layer.className}) is given ${init.length} initial states, expects 2 (h, c) of ${N}×${P * F} values`);
      }
      const inSize = rest.reduce((a, c) => a * c, 1);
      const seq = p.returnSequences ? new Float64Array(N * T * P * F) : null;
      const hAll = new Float64Array(N * P * F);
      const cAll = new Float64Array(N * P * F);
      const z = new Float64Array(P * 4 * F);
      const gate = [0, 1, 2, 3].map(() => new Float64Array(P * F));
      const tmp = new Float64Array(P * F);
      for (let n = 0; n < N; n++) {
        if (ctx.isCancelled?.()) throw new InspectorError('', 'cancelled');
        const h = hAll.subarray(n * P * F, (n + 1) * P * F);
        const c = cAll.subarray(n * P * F, (n + 1) * P * F);
        if (init.length) {
          h.set(init[0].subarray(n * P * F, (n + 1) * P * F));
          c.set(init[1].subarray(n * P * F, (n + 1) * P * F));
        }
        for (let s = 0; s < T; s++) {
          const t = p.goBackwards ? T - 1 - s : s;
          convSample(xl.data, (n * T + t) * inSize, g, Cin, W, 4 * F, z, 0, b ?? null);
          convSample(h, 0, gr, F, Wh, 4 * F, z, 0, null, true);
          for (let k = 0; k < 4; k++) for (let q = 0; q < P; q++) gate[k].set(z.subarray(q * 4 * F + k * F, q * 4 * F + (k + 1) * F), q * F);
          applyActivation(ract, gate[0], F);
          applyActivation(ract, gate[1], F);
          applyActivation(act, gate[2], F);
          applyActivation(ract, gate[3], F);
          for (let j = 0; j < P * F; j++) tmp[j] = c[j] = gate[1][j] * c[j] + gate[0][j] * gate[2][j];
          applyActivation(act, tmp, F);
          for (let j = 0; j < P * F; j++) h[j] = gate[3][j] * tmp[j];
          if (seq) seq.set(h, (n * T + s) * P * F);
        }
      }
      const back = (data: Float64Array, shape: number[], lead: number) => (p.channelsFirst ? moveChannels(data, shape, lead, false) : { data, shape });
      const st = (d: Float64Array) => back(d, [N, ...O, F], 1);
      const y = seq ? back(seq, [N, T, ...O, F], 2) : st(new Float64Array(hAll));
      const outs: Tensor[] = [{ array: nd(y.shape, y.data), mask: null }];
      if (p.returnState) for (const s of [st(hAll), st(cAll)]) outs.push({ array: nd(s.shape, s.data), mask: null });
      return outs;
    },
  };
}
