/**
 * Attention (Luong, dot or concat scores) and AdditiveAttention (Bahdanau), as Keras 3 computes
 * them: inputs [query (N, Tq, d), value (N, Tv, dv), key = value]; scores (N, Tq, Tv), minus 1e9
 * where the value's mask or the causal mask (`use_causal_mask`, tf.keras's `causal`) hides a key;
 * softmax over the keys; output = weights · value, zeroed where the query is masked (the output
 * keeps the query's mask). `return_attention_scores` is refused: it changes the outputs.
 */
import { InspectorError, type Layer } from '../model';
import type { ExpectedWeight, LayerSpec, Tensor } from './types';
import { bindWeights, cfg, nd } from './util';

function check(layer: Layer, n: number): void {
  if (n < 2 || n > 3) throw new InspectorError('', `layer ${layer.name} (${layer.className}) takes [query, value] or [query, value, key], got ${n} inputs`);
}

const causal = (layer: Layer): boolean => Boolean(layer.callArgs?.use_causal_mask ?? cfg(layer).causal);

export function attentionSpec(additive: boolean): LayerSpec {
  const useScale = (layer: Layer): boolean => Boolean(cfg(layer).use_scale ?? additive);
  const concat = (layer: Layer): boolean => !additive && cfg(layer).score_mode === 'concat';
  const expected = (layer: Layer, dim: number | null): ExpectedWeight[] => {
    const w: ExpectedWeight[] = [];
    if (useScale(layer)) w.push({ role: 'scale', shape: additive ? [dim] : [], trainable: true });
    if (concat(layer)) w.push({ role: 'concat_score_weight', shape: [], trainable: true });
    return w;
  };
  return {
    outputShapes(layer, inputs) {
      check(layer, inputs.length);
      const [q, v] = inputs;
      return [[q[0] ?? null, q[1] ?? null, v[v.length - 1] ?? null]];
    },
    expectedWeights(layer, inputs) {
      const q = inputs[0] ?? [];
      return expected(layer, q[q.length - 1] ?? null);
    },
    describe(layer) {
      const s = useScale(layer) ? 'scale·' : '';
      const score = additive
        ? `score_{ij} = Σ_d ${useScale(layer) ? 'scale_d·' : ''}tanh(q_{id} + k_{jd})`
        : concat(layer)
          ? `score_{ij} = c·Σ_d tanh(${s}(q_{id} + k_{jd}))`
          : `score_{ij} = ${s}q_i·k_j`;
      return { equations: [score, 'a_{ij} = softmax_j(score_{ij})' + (causal(layer) ? ' over j ≤ i (causal)' : ''), 'y_i = Σ_j a_{ij}·v_j'] };
    },
    forward(layer, inputs): Tensor[] {
      check(layer, inputs.length);
      if (layer.callArgs?.return_attention_scores) throw new InspectorError('', `not supported: ${layer.className} with return_attention_scores (layer ${layer.name})`);
      const [qt, vt, kt = inputs[1]] = inputs;
      const [N, Tq, d] = qt.array.shape;
      const [, Tv, dv] = vt.array.shape;
      if (qt.array.shape.length !== 3 || vt.array.shape.length !== 3 || kt.array.shape[2] !== d) {
        throw new InspectorError('', `layer ${layer.name} (${layer.className}): query and key must be (N, T, d) with the same d`);
      }
      const w = bindWeights(layer, expected(layer, d));
      const scale = useScale(layer) ? w[0] : null;
      const cw = concat(layer) ? w[useScale(layer) ? 1 : 0][0] : 1;
      const q = qt.array.data;
      const k = kt.array.data;
      const v = vt.array.data;
      const out = new Float64Array(N * Tq * dv);
      const sc = new Float64Array(Tv);
      const vm = vt.mask;
      for (let n = 0; n < N; n++)
        for (let i = 0; i < Tq; i++) {
          const qo = (n * Tq + i) * d;
          let mx = -Infinity;
          for (let j = 0; j < Tv; j++) {
            const ko = (n * Tv + j) * d;
            let s = 0;
            if (additive) for (let e = 0; e < d; e++) s += (scale ? scale[e] : 1) * Math.tanh(q[qo + e] + k[ko + e]);
            else if (concat(layer)) {
              for (let e = 0; e < d; e++) s += Math.tanh((scale ? scale[0] : 1) * (q[qo + e] + k[ko + e]));
              s *= cw;
            } else {
              for (let e = 0; e < d; e++) s += q[qo + e] * k[ko + e];
              if (scale) s *= scale[0];
            }
            const hidden = (vm !== null && !vm[n * Tv + j]) || (causal(layer) && j > i);
            if (hidden) s -= 1e9;
            sc[j] = s;
            if (s > mx) mx = s;
          }
          let sum = 0;
          for (let j = 0; j < Tv; j++) sum += sc[j] = Math.exp(sc[j] - mx);
          const oo = (n * Tq + i) * dv;
          if (qt.mask && !qt.mask[n * Tq + i]) continue;
          for (let j = 0; j < Tv; j++) {
            const a = sc[j] / sum;
            const vo = (n * Tv + j) * dv;
            for (let e = 0; e < dv; e++) out[oo + e] += a * v[vo + e];
          }
        }
      return [{ array: nd([N, Tq, dv], out), mask: qt.mask }];
    },
  };
}
