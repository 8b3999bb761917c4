/**
 * Wrappers: Bidirectional (forward + backward copy of an RNN, merged) and TimeDistributed
 * (the inner layer applied to every step). Inner layers come from the reader's `inner` or are
 * rebuilt from the config; their weights are the inner layers' own or, failing that, the
 * wrapper's list split in get_weights() order (forward first).
 */
import { InspectorError, type Layer, type Shape, type Weight } from '../model';
import type { Description, ExpectedWeight, LayerSpec, RunCtx, ShapeCtx, Tensor, Term } from './types';
import { cfg, nd, one, wrapped } from './util';
import { rnnParams, runRnn, type RnnParams } from './recurrent';
import { initialStates } from './rnnRun';
import { releaseF64, takeF64 } from '../math/bufferPool';
import { bidirectionalBackward, timeDistributedBackward } from './wrappersBackward';

/**
 * The registry's lookup of a wrapped layer's spec. registry.ts imports this module for its table,
 * so it hands the lookup in (`useRegistry`) rather than being imported back (no import cycle).
 */
let getSpec: (className: string) => LayerSpec | undefined = () => undefined;
export function useRegistry(lookup: (className: string) => LayerSpec | undefined): void {
  getSpec = lookup;
}

function innerSpec(inner: Layer, outer: Layer): LayerSpec {
  const spec = getSpec(inner.className);
  if (!spec) throw new InspectorError('', `not supported: ${inner.className} (inside layer ${outer.name})`);
  return spec;
}

// ---------------------------------------------------------------- Bidirectional

/** [forward, backward] with their configs and weights resolved. */
export function biParts(layer: Layer, input?: Shape, ctx?: ShapeCtx): [Layer, Layer] {
  let fwd = layer.inner?.[0] ?? wrapped(layer, 'layer');
  if (!fwd) throw new InspectorError('', `layer ${layer.name} (Bidirectional) has no wrapped layer in its config`);
  let bwd =
    layer.inner?.[1] ??
    wrapped(layer, 'backward_layer') ?? { ...fwd, name: `backward_${fwd.name.replace(/^forward_/, '')}`, weights: [] };
  const fb = Boolean(fwd.config.go_backwards);
  if (Boolean(bwd.config.go_backwards) === fb) bwd = { ...bwd, config: { ...bwd.config, go_backwards: !fb } };
  if (!fwd.weights.length && !bwd.weights.length && layer.weights.length) {
    // Split the wrapper's weights: the forward layer's count first.
    let nF = layer.weights.length / 2;
    if (input && ctx) {
      const spec = getSpec(fwd.className);
      const e = spec?.expectedWeights?.(fwd, [input], ctx, undefined);
      if (e && e.length * 2 === layer.weights.length) nF = e.length;
    }
    fwd = { ...fwd, weights: layer.weights.slice(0, nF) };
    bwd = { ...bwd, weights: layer.weights.slice(nF) };
  }
  return [fwd, bwd];
}

const mergeMode = (layer: Layer): string | null => {
  const m = cfg(layer).merge_mode;
  return m === undefined ? 'concat' : m;
};

/** The wrapped recurrent layer of a Bidirectional (its forward half); any other layer itself. */
export function recurrentBase(layer: Layer): Layer {
  return layer.className === 'Bidirectional' ? biParts(layer)[0] : layer;
}

export const bidirectionalSpec: LayerSpec = {
  recurrent: true,
  wraps: 2,
  names: ['bidirectional'],
  numpy: 'bidirectional',
  innerFromConfig(config, build) {
    if (!config.layer) return undefined;
    const fwd = build(config.layer);
    // The backward copy is the forward layer with go_backwards flipped: built once and copied, so
    // nested wrappers cost linear time, not 2^depth.
    let bwd: Layer;
    if (config.backward_layer) bwd = build(config.backward_layer);
    else {
      bwd = structuredClone(fwd);
      bwd.config.go_backwards = !config.layer.config?.go_backwards;
    }
    fwd.name = `forward_${fwd.name.replace(/^forward_/, '')}`;
    fwd.config.name = fwd.name;
    bwd.name = `backward_${bwd.name.replace(/^backward_/, '')}`;
    bwd.config.name = bwd.name;
    return [fwd, bwd];
  },
  problem(layer, check) {
    const [f, b] = biParts(layer);
    const inner = getSpec(f.className);
    if (!inner?.recurrent || inner.wraps) return `not supported: Bidirectional(${f.className}) (layer ${layer.name})`;
    return check(f) ?? check(b);
  },
  inferInner(layer, weights, classOf) {
    const innerCls = innerClass(weights.slice(0, weights.length / 2), classOf);
    const mk = (name: string, backwards: boolean): Layer => ({ name, className: innerCls, config: { name, go_backwards: backwards }, weights: [], inbound: [] });
    layer.inner = [mk(`forward_${layer.name}`, false), mk(`backward_${layer.name}`, true)];
    layer.config.layer = { class_name: innerCls, config: layer.inner[0].config };
    layer.config.merge_mode = 'concat';
  },
  inner(layer) {
    return biParts(layer);
  },
  outputShapes(layer, inputs, ctx) {
    const [fwd] = biParts(layer);
    const outs = innerSpec(fwd, layer).outputShapes(fwd, inputs, ctx);
    const returnState = Boolean(fwd.config.return_state);
    const y = outs[0];
    const states = returnState ? outs.slice(1) : [];
    const mode = mergeMode(layer);
    let merged: Shape[];
    if (mode === 'concat') merged = [[...y.slice(0, -1), y[y.length - 1] == null ? null : 2 * (y[y.length - 1] as number)]];
    else if (mode === null) merged = [y, y.slice()];
    else merged = [y];
    return [...merged, ...states, ...states.map((s) => s.slice())];
  },
  expectedWeights(layer, inputs, ctx, stored) {
    const [fwd, bwd] = biParts(layer, inputs[0], ctx);
    const f = innerSpec(fwd, layer).expectedWeights?.(fwd, inputs, ctx, fwd.weights.length ? fwd.weights : stored?.slice(0, stored.length / 2)) ?? [];
    const b = innerSpec(bwd, layer).expectedWeights?.(bwd, inputs, ctx, bwd.weights.length ? bwd.weights : stored?.slice(stored.length / 2)) ?? [];
    return [...f, ...b];
  },
  indexed: true,
  /** The two halves as →/← (Wx→, h→_t; Wx←, h←_t running from t = T down), merged into 2M for concat. */
  describe(layer, inputs, shapes, ctx, where): Description {
    const [fwd, bwd] = biParts(layer, inputs[0], ctx);
    const fs = innerSpec(fwd, layer);
    const nF = shapes.length / 2;
    const df = fs.describe?.(fwd, inputs, shapes.slice(0, nF), ctx, { ...where, dir: '→' }) ?? {};
    const db = innerSpec(bwd, layer).describe?.(bwd, inputs, shapes.slice(nF), ctx, { ...where, dir: '←' }) ?? {};
    let arithmetic: string | undefined;
    const split = (a?: string): [string, number] | null => {
      const m = a?.match(/^(.*) = (\d+)$/);
      return m ? [m[1], Number(m[2])] : null;
    };
    const a = split(df.arithmetic);
    const b = split(db.arithmetic);
    if (a && b) arithmetic = a[0] === b[0] ? `2×(${a[0]}) = ${a[1] + b[1]}` : `(${a[0]}) + (${b[0]}) = ${a[1] + b[1]}`;
    const mode = mergeMode(layer);
    const seq = Boolean(fwd.config.return_sequences);
    const sup = where.sup;
    const hf = seq ? `h→${sup}_t` : `h→${sup}_T`;
    const hb = seq ? `h←${sup}_t` : `h←${sup}_1`;
    let M: number | undefined;
    try {
      M = rnnParams(fwd).units;
    } catch {
      M = undefined;
    }
    const Ml = `M${sup}`;
    const cat = `[${hf}, ${hb}]`;
    // The merged output is what the next layer reads: h_T = [h→_T, h←_1] (2M wide) for concat.
    const yv = mode === null ? undefined : `h${sup}${seq ? '_t' : '_T'}`;
    const merge =
      mode === 'concat'
        ? `${yv} = ${cat}`
        : mode === 'sum'
          ? `${yv} = ${hf} + ${hb}`
          : mode === 'mul'
            ? `${yv} = ${hf} ⊙ ${hb}`
            : mode === 'ave'
              ? `${yv} = (${hf} + ${hb}) / 2`
              : `(${hf}, ${hb}) as two outputs`;
    const outLetter = mode === 'concat' ? `2${Ml}` : Ml;
    const terms: Record<string, Term> = { ...(df.terms ?? {}), ...(db.terms ?? {}) };
    if (M !== undefined) {
      terms[hf] = { letters: Ml, numbers: String(M) };
      terms[hb] = { letters: Ml, numbers: String(M) };
      if (yv) terms[yv] = { letters: outLetter, numbers: String(mode === 'concat' ? 2 * M : M) };
    }
    return {
      weights: [...(df.weights ?? []), ...(db.weights ?? [])],
      arithmetic,
      equations: [...(df.equations ?? []).map((e) => `→ ${e}`), ...(db.equations ?? []).map((e) => `← ${e}`), merge],
      terms,
      letters: M === undefined ? [] : [{ letter: Ml, value: M, meaning: `hidden units of each direction of ${layer.name}${mode === 'concat' ? ` (its output is 2${Ml} = ${2 * M} wide)` : ''}` }],
      outLetter,
      outVector: yv,
    };
  },
  forward(layer, inputs, ctx: RunCtx): Tensor[] {
    if (!inputs.length) one(layer, inputs);
    const x = inputs[0];
    // initial_state=[forward states…, backward states…], as Keras splits them.
    const states = inputs.slice(1);
    if (states.length % 2) throw new InspectorError('', `layer ${layer.name} (Bidirectional) is given ${states.length} initial states: expects as many for each direction`);
    const [fwd, bwd] = biParts(layer, [null, ...x.array.shape.slice(1)], { model: ctx.model, kerasVersion: ctx.kerasVersion, notes: [] });
    const kinds = ['SimpleRNN', 'LSTM', 'GRU', 'RNN', 'CuDNNLSTM', 'CuDNNGRU'];
    if (!kinds.includes(fwd.className) || !kinds.includes(bwd.className)) {
      throw new InspectorError('', `not supported: Bidirectional(${fwd.className}) (layer ${layer.name})`);
    }
    const run = (part: Layer, dir: 'forward' | 'backward') => {
      const p: RnnParams = rnnParams(part, part.weights);
      // Keras forces zero_output_for_mask = return_sequences on both halves.
      p.zeroOutputForMask = p.returnSequences;
      const half = states.length / 2;
      const init = initialStates(part, p, dir === 'forward' ? states.slice(0, half) : states.slice(half), x.array.shape[0]);
      const r = runRnn(part, p, x, part.weights, ctx, ctx.trace !== null, !!ctx.keep, init);
      if (r.trace && ctx.trace) ctx.trace(layer.name, part.className, dir, r.trace);
      return { r, p };
    };
    const { r: rf, p } = run(fwd, 'forward');
    const { r: rb } = run(bwd, 'backward');
    const y = rf.output;
    let yr = rb.output;
    // The halves' own arrays can go back to the kernels' pool once merged, unless something keeps them.
    const transient = !ctx.keep && !ctx.trace && !p.returnState;
    if (p.returnSequences) {
      // The backward half's sequence comes in processing order: flip it back along time.
      const [N, T, M] = yr.shape;
      const src = yr.data;
      const flipped = takeF64(src.length);
      for (let n = 0; n < N; n++)
        for (let t = 0; t < T; t++) {
          const from = (n * T + t) * M;
          const to = (n * T + (T - 1 - t)) * M;
          for (let j = 0; j < M; j++) flipped[to + j] = src[from + j];
        }
      if (!ctx.keep) releaseF64(src);
      yr = nd(yr.shape.slice(), flipped);
    }
    if (ctx.keep) ctx.keep.value = { forward: rf.tape, backward: rb.tape, y, yr };
    const mask = p.returnSequences ? x.mask : null;
    const mode = mergeMode(layer);
    let outs: Tensor[];
    if (mode === null) outs = [{ array: y, mask }, { array: yr, mask }];
    else if (mode === 'concat') {
      const M1 = y.shape[y.shape.length - 1];
      const M2 = yr.shape[yr.shape.length - 1];
      const rows = y.data.length / M1;
      const out = takeF64(rows * (M1 + M2));
      const a = y.data;
      const b = yr.data;
      for (let i = 0, o = 0; i < rows; i++) {
        for (let j = 0, f = i * M1; j < M1; j++) out[o++] = a[f + j];
        for (let j = 0, f = i * M2; j < M2; j++) out[o++] = b[f + j];
      }
      outs = [{ array: nd([...y.shape.slice(0, -1), M1 + M2], out), mask }];
    } else {
      const out = takeF64(y.data.length);
      const a = y.data;
      const b = yr.data;
      if (mode === 'sum') for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
      else if (mode === 'mul') for (let i = 0; i < out.length; i++) out[i] = a[i] * b[i];
      else if (mode === 'ave') for (let i = 0; i < out.length; i++) out[i] = (a[i] + b[i]) / 2;
      else throw new InspectorError('', `not supported: merge_mode '${mode}' (layer ${layer.name})`);
      outs = [{ array: nd(y.shape.slice(), out), mask }];
    }
    if (mode !== null && transient) {
      releaseF64(y.data);
      releaseF64(yr.data);
    }
    if (p.returnState) {
      for (const s of rf.states) outs.push({ array: s, mask: null });
      for (const s of rb.states) outs.push({ array: s, mask: null });
    }
    return outs;
  },
  backward(layer, inputs, _outputs, dOutputs, ctx) {
    const x = one(layer, inputs);
    return bidirectionalBackward(layer, biParts(layer, [null, ...x.array.shape.slice(1)], { model: ctx.model, notes: [] }), inputs, dOutputs, ctx);
  },
};

// ---------------------------------------------------------------- TimeDistributed

export function tdInner(layer: Layer): Layer {
  const inner = layer.inner?.[0] ?? wrapped(layer, 'layer');
  if (!inner) throw new InspectorError('', `layer ${layer.name} (TimeDistributed) has no wrapped layer in its config`);
  if (!inner.weights.length && layer.weights.length) return { ...inner, weights: layer.weights };
  return inner;
}

const stepShape = (s: Shape): Shape => [s[0] ?? null, ...s.slice(2)];

/** The class of a wrapped layer rebuilt from its weights (named in get_weights() order); Dense when unclear. */
function innerClass(weights: Weight[], classOf: (weights: Weight[]) => string | undefined): string {
  return classOf(weights.map((w, i) => ({ ...w, role: w.role || ['kernel', 'recurrent_kernel', 'bias'][i] }))) ?? 'Dense';
}

export const timeDistributedSpec: LayerSpec = {
  indexed: true,
  wraps: 1,
  names: ['time_distributed'],
  numpy: 'dense',
  innerFromConfig(config, build) {
    return config.layer ? [build(config.layer)] : undefined;
  },
  problem(layer, check) {
    return check(tdInner(layer));
  },
  inferInner(layer, weights, classOf) {
    const innerCls = innerClass(weights, classOf);
    const name = layer.name.replace(/^time_distributed/, 'dense');
    layer.inner = [{ name, className: innerCls, config: { name, go_backwards: false }, weights: [], inbound: [] }];
    layer.config.layer = { class_name: innerCls, config: layer.inner[0].config };
  },
  outputUnits(layer) {
    try {
      const inner = tdInner(layer);
      return getSpec(inner.className)?.outputUnits?.(inner);
    } catch {
      return undefined;
    }
  },
  inner(layer) {
    return [tdInner(layer)];
  },
  outputShapes(layer, inputs, ctx) {
    const s = one(layer, inputs);
    const inner = tdInner(layer);
    const outs = innerSpec(inner, layer).outputShapes(inner, [stepShape(s)], ctx);
    return outs.map((o) => [s[0] ?? null, s[1] ?? null, ...o.slice(1)]);
  },
  expectedWeights(layer, inputs, ctx, stored): ExpectedWeight[] {
    const inner = tdInner(layer);
    return innerSpec(inner, layer).expectedWeights?.(inner, [stepShape(one(layer, inputs))], ctx, inner.weights.length ? inner.weights : stored) ?? [];
  },
  describe(layer, inputs, shapes, ctx, where) {
    const inner = tdInner(layer);
    const d = innerSpec(inner, layer).describe?.(inner, [stepShape(inputs[0] ?? [])], shapes, ctx, where) ?? {};
    // The wrapped layer sees one step at a time: write its equation per step.
    const perStep = (e: string): string => e.replace(/^y = x·/, 'y_t = x_t·').replace(/^y = /, 'y_t = ').replace(/\bh_T\b/g, 'h_t');
    const key = (k: string): string => (k === 'x' ? 'x_t' : k === 'y' ? 'y_t' : k.replace(/\bh_T\b/g, 'h_t'));
    const terms = d.terms && Object.fromEntries(Object.entries(d.terms).map(([k, v]) => [key(k), v]));
    return { ...d, equations: d.equations?.map(perStep), terms };
  },
  forward(layer, inputs, ctx) {
    const x = one(layer, inputs);
    const inner = tdInner(layer);
    const spec = innerSpec(inner, layer);
    if (!spec.forward) throw new InspectorError('', `not supported: ${inner.className} (layer ${layer.name})`);
    const [N, T, ...rest] = x.array.shape;
    if (T === undefined) throw new InspectorError('', `layer ${layer.name} (TimeDistributed) expects an input with a time axis`);
    const outs = spec.forward(inner, [{ array: nd([N * T, ...rest], x.array.data), mask: null }], ctx);
    return outs.map((o) => ({ array: nd([N, T, ...o.array.shape.slice(1)], o.array.data), mask: x.mask }));
  },
  backward(layer, inputs, outputs, dOutputs, ctx) {
    const inner = tdInner(layer);
    return timeDistributedBackward(layer, inner, innerSpec(inner, layer), inputs, outputs, dOutputs, ctx);
  },
};

export type { Weight };
