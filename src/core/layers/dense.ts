/** Dense: y = act(x·W + b) on the last axis, for 2-D (N, M) and 3-D (N, T, M) inputs alike. */
import { InspectorError, type Layer, type Shape } from '../model';
import { matmul } from '../math/kernels';
import { activationName, applyActivation, isKeras2, resolveActivation } from '../math/activations';
import { fastDense } from '../math/fastDense';
import { activationCode } from '../math/wasm';
import type { Description, ExpectedWeight, LayerSpec, NotationCtx, RunCtx, Tensor } from './types';
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
  describe(layer, inputs, shapes, _ctx, where: NotationCtx): Description {
    const input = inputs[0] ?? [];
    const inSize0 = shapes[0]?.[0] ?? lastDim(input);
    const Mu = where.recurrentUnits;
    const inL = !where.afterRecurrent ? 'I' : Mu && inSize0 === 2 * Mu ? '2M' : 'M';
    const outL = where.isOutput ? 'K' : 'U';
    const sym = where.afterRecurrent ? ['Wo', 'bo'] : ['W', 'b'];
    const weights = [{ symbol: sym[0], notation: `${inL}×${outL}` }];
    if (useBias(layer)) weights.push({ symbol: sym[1], notation: outL });
    const inSize = shapes[0]?.[0] ?? lastDim(input);
    const k = units(layer);
    const arithmetic = inSize == null ? undefined : useBias(layer) ? `${inSize}×${k} + ${k} = ${inSize * k + k}` : `${inSize}×${k} = ${inSize * k}`;
    const seq = input.length > 2;
    const x = where.afterRecurrent ? (seq ? 'h_t' : 'h_T') : seq ? 'x_t' : 'x';
    const y = seq ? 'y_t' : 'y';
    const lin = `${x}·${sym[0]}${useBias(layer) ? ` + ${sym[1]}` : ''}`;
    const act = activationName(cfg(layer).activation);
    return { weights, arithmetic, equations: [`${y} = ${act === 'linear' ? lin : `${act}(${lin})`}`] };
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
