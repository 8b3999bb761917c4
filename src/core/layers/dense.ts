/** Dense: y = act(x·W + b) on the last axis, for 2-D (N, M) and 3-D (N, T, M) inputs alike. */
import { InspectorError, type Layer, type Shape } from '../model';
import { matmul } from '../math/kernels';
import { activationName, applyActivation, isKeras2, resolveActivation } from '../math/activations';
import { fastDense } from '../math/fastDense';
import { activationCode } from '../math/wasm';
import type { Description, ExpectedWeight, LayerSpec, Letter, NotationCtx, RunCtx, Tensor, Term } from './types';
import { bindWeights, cfg, lastDim, nd, one } from './util';
import { denseBackward, softmaxOrSigmoid } from './denseBackward';

const units = (layer: Layer): number => Number(cfg(layer).units ?? cfg(layer).output_dim);
const useBias = (layer: Layer): boolean => cfg(layer).use_bias ?? true;

function expected(layer: Layer, input: Shape): ExpectedWeight[] {
  const w: ExpectedWeight[] = [{ role: 'kernel', shape: [lastDim(input), units(layer)], trainable: true }];
  if (useBias(layer)) w.push({ role: 'bias', shape: [units(layer)], trainable: true });
  return w;
}

export const denseSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    const s = one(layer, inputs);
    return [[...s.slice(0, -1), units(layer)]];
  },
  expectedWeights(layer, inputs) {
    return expected(layer, one(layer, inputs));
  },
  indexed: true,
  /**
   * Wo / bo (M×K, K) only for the layer that produces the model's output; a hidden Dense is
   * W⁽ℓ⁾ / b⁽ℓ⁾ with U⁽ℓ⁾ units. The input width is named after what feeds it.
   */
  describe(layer, inputs, shapes, _ctx, where: NotationCtx): Description {
    const input = inputs[0] ?? [];
    const inSize = shapes[0]?.[0] ?? lastDim(input);
    const k = units(layer);
    const sup = where.sup;
    const inL = where.inLetter ?? (inSize == null ? '?' : String(inSize));
    const o = where.outIndex ?? '';
    const outL = where.isOutput ? `K${o}` : `U${sup}`;
    const [W, b] = where.isOutput ? [`Wo${o}`, `bo${o}`] : [`W${sup}`, `b${sup}`];
    const weights = [{ symbol: W, notation: `${inL}×${outL}` }];
    if (useBias(layer)) weights.push({ symbol: b, notation: outL });
    const arithmetic = inSize == null ? undefined : useBias(layer) ? `${inSize}×${k} + ${k} = ${inSize * k + k}` : `${inSize}×${k} = ${inSize * k}`;
    const seq = input.length > 2;
    const x = where.inVector ?? (seq ? 'x_t' : 'x');
    const yBase = where.isOutput ? `y${o}` : `u${sup}`;
    const y = seq ? `${yBase}_t` : yBase;
    const lin = `${x}·${W}${useBias(layer) ? ` + ${b}` : ''}`;
    const act = activationName(cfg(layer).activation);
    const n = (v: number | null): string => (v == null ? '?' : String(v));
    const terms: Record<string, Term> = {
      [x]: { letters: inL, numbers: n(inSize) },
      [W]: { letters: `${inL}×${outL}`, numbers: `${n(inSize)}×${k}` },
      [b]: { letters: outL, numbers: String(k) },
      [y]: { letters: outL, numbers: String(k) },
    };
    const letters: Letter[] = [where.isOutput ? { letter: outL, value: k, meaning: `outputs${o ? ` of ${layer.name}` : ''}` } : { letter: outL, value: k, meaning: `units of ${layer.name}` }];
    return { weights, arithmetic, equations: [`${y} = ${act === 'linear' ? lin : `${act}(${lin})`}`], terms, letters, outLetter: outL, outVector: y };
  },
  forward(layer, inputs, ctx: RunCtx): Tensor[] {
    const x = one(layer, inputs);
    const shape = x.array.shape;
    const inSize = shape[shape.length - 1];
    const [W, b] = bindWeights(layer, expected(layer, [null, inSize]));
    const K = units(layer);
    const rows = x.array.data.length / inSize;
    const spec = cfg(layer).activation;
    const act = resolveActivation(spec, ctx.kerasVersion);
    if (!act) throw new InspectorError('', `not supported: activation '${activationName(spec)}' (layer ${layer.name})`);
    const precision = ctx.precision ?? 'f64';
    // The SIMD kernels unless the reference is asked for; the TypeScript reference below otherwise.
    const fast =
      ctx.engine === 'reference'
        ? null
        : fastDense({ x: x.array.data, rows, inSize, W, K, bias: b ?? null, act: activationCode(activationName(spec), isKeras2(ctx.kerasVersion)), precision });
    let out: Float64Array;
    if (fast) {
      ctx.usedFast?.(precision);
      out = fast.out;
      if (!fast.activated) applyActivation(act, out, K);
    } else {
      out = new Float64Array(rows * K);
      matmul(x.array.data, rows, inSize, W, K, out, b ?? null);
      applyActivation(act, out, K);
    }
    return [{ array: nd([...shape.slice(0, -1), K], out), mask: x.mask }];
  },
  backward: denseBackward,
  outputsLogits: (layer) => softmaxOrSigmoid(cfg(layer).activation),
};
