/**
 * gradients(): the by-hand backward pass. Runs forward() keeping what each layer's backward step
 * needs, computes the loss over every model output (losses.ts), then walks the layer calls in
 * reverse order, each spec's backward step turning dL/d(outputs) into dL/d(inputs) and dL/d(its
 * weights): backpropagation through time for the recurrent layers (layers/recurrentBackward.ts,
 * math/bptt.ts). float64 throughout. Gradients come in the order of Keras's
 * `model.trainable_weights`, named by Keras 3's variable paths ("simple_rnn/simple_rnn_cell/kernel").
 */
import { InspectorError, type Model, type NDArray } from './model';
import { inFile } from './inFile';
import { getSpec } from './layers/registry';
import { callKey, schedule, type Call } from './layers/graph';
import type { BackwardCtx, Tensor, WeightGrad } from './layers/types';
import { variablePrefix } from './layers/backwardUtil';
import { forward, type NamedArray } from './forward';
import { lossAndGrad, type LossName } from './losses';
import { releaseF64 } from './math/bufferPool';
import { nonFiniteArrays } from './nonFinite';
import { chooseHardSigmoid } from './hardSigmoid';

/** Bytes the recurrent layers' tapes (every step kept for BPTT) may take in all, per gradients() call. */
export const MAX_TAPE_BYTES = 4 * 1024 ** 3;

export interface GradientsOptions {
  /** Default 'mse'. */
  loss?: LossName;
  /** As forward(): which hard_sigmoid to differentiate. */
  hardSigmoid?: 'keras3' | 'keras2';
  /**
   * 'fast' (default): the forward pass on the SIMD kernels keeping its tape, and BPTT batched over
   * the samples on them (math/fastBptt.ts) where they apply; 'reference': the TypeScript engines
   * throughout, one sample at a time (math/bptt.ts), which the tests hold the fast path to.
   */
  engine?: 'fast' | 'reference';
  /** Default MAX_TAPE_BYTES. */
  maxTapeBytes?: number;
}

export interface HiddenGradNorms {
  layer: string;
  direction?: 'forward' | 'backward';
  /** ‖∂L/∂h_t‖ (over the batch) for t = 1…T in processing order. */
  norms: Float64Array;
  /** Where its BPTT ran: batched on the SIMD kernels, or the TypeScript reference one sample at a time. */
  engine?: 'fast' | 'reference';
}

export interface GradientsResult {
  loss: LossName;
  /** The total loss: the sum over model outputs of each output's loss. */
  value: number;
  outputs: NamedArray[];
  /** One per trainable weight, in Keras's `model.trainable_weights` order; `path` is the full variable path. */
  gradients: WeightGrad[];
  hiddenGradNorms: HiddenGradNorms[];
}

interface Recorded {
  call: Call;
  inputs: Tensor[];
  outputs: Tensor[];
  kept: unknown;
}

const isInputCall = (model: Model, c: Call): boolean => c.inputs.length === 0 && model.inputs.some((r) => r.layer === c.layer.name);

/** The layers (by name and class) the backward pass has no step for; empty when it can run. */
export function backwardProblems(model: Model): string[] {
  const { calls } = schedule(model);
  const out: string[] = [];
  for (const c of calls) {
    if (isInputCall(model, c)) continue;
    const spec = getSpec(c.layer.className);
    if (!spec?.backward) out.push(`${c.layer.name} (${c.layer.className})`);
  }
  return out;
}

/**
 * Adds a gradient into a call's dL/d(outputs). The first one is kept as it is (no copy: copies of
 * large arrays cost their page faults), unless the same array was already handed elsewhere (a layer
 * giving one array to several inputs): then, as for any second contribution, into a copy of its own.
 */
function addInto(into: (NDArray | null)[], k: number, d: NDArray, seen: Set<Float64Array>, copies: Set<Float64Array>): void {
  const cur = into[k];
  if (!cur) {
    const data = seen.has(d.data) ? Float64Array.from(d.data) : d.data;
    seen.add(data);
    if (data !== d.data) copies.add(data);
    into[k] = { shape: d.shape.slice(), data };
    return;
  }
  if (!copies.has(cur.data)) {
    cur.data = Float64Array.from(cur.data);
    seen.add(cur.data);
    copies.add(cur.data);
  }
  for (let i = 0; i < cur.data.length; i++) cur.data[i] += d.data[i];
}

function checkTargets(model: Model, targets: NDArray[], inputs?: NDArray[]): void {
  if (targets.length !== model.outputs.length) {
    throw new InspectorError('', `the model has ${model.outputs.length} output${model.outputs.length === 1 ? '' : 's'} but ${targets.length} target array${targets.length === 1 ? ' was' : 's were'} given`);
  }
  // A NaN / ±Inf in the targets or the inputs makes the loss and every gradient NaN: said, not computed.
  const bad = [...nonFiniteArrays(targets, 'the targets'), ...(inputs ? nonFiniteArrays(inputs, 'the inputs') : [])];
  if (bad.length) throw new InspectorError('', `${bad[0]}: the loss and every gradient would be NaN; give finite values`);
}

/** The loss alone (a forward pass and the loss over every output): what a finite difference evaluates. */
export function modelLoss(model: Model, inputs: NDArray[], targets: NDArray[], opts: GradientsOptions = {}): number {
  checkTargets(model, targets);
  const outs = new Map<string, Recorded>();
  const wanted = new Set(model.outputs.map((o) => callKey(o.layer, o.node)));
  forward(model, inputs, {
    hardSigmoid: opts.hardSigmoid,
    engine: opts.engine ?? 'fast',
    record: (call, ins, o) => {
      const key = callKey(call.layer.name, call.node);
      if (wanted.has(key)) outs.set(key, { call, inputs: ins, outputs: o, kept: undefined });
    },
  });
  let value = 0;
  model.outputs.forEach((o, i) => {
    const r = outs.get(callKey(o.layer, o.node))!;
    const t = r.outputs[o.tensor];
    const logits = getSpec(r.call.layer.className)?.outputsLogits?.(r.call.layer) ?? false;
    value += lossAndGrad(opts.loss ?? 'mse', t.array, targets[i], t.mask, logits, `output ${i + 1} (${o.layer})`).value;
  });
  return value;
}

/** Problems found after the file was opened name it (model.source.path). */
export function gradients(model: Model, inputs: NDArray[], targets: NDArray[], opts: GradientsOptions = {}): GradientsResult {
  return inFile(model.source?.path ?? '', () => {
    try {
      return gradientsIn(model, inputs, targets, opts);
    } catch (e) {
      // An array the budget did not foresee (a layer's own buffers) that the runtime cannot allocate.
      if (e instanceof RangeError && /array length|allocation failed|Array buffer/i.test(e.message)) {
        throw new InspectorError('', `the backward pass needs more memory than could be allocated (${e.message}); use fewer samples or shorter sequences`);
      }
      throw e;
    }
  });
}

function gradientsIn(model: Model, inputs: NDArray[], targets: NDArray[], opts: GradientsOptions = {}): GradientsResult {
  const loss = opts.loss ?? 'mse';
  const engine = opts.engine ?? 'fast';
  const missing = backwardProblems(model);
  if (missing.length) throw new InspectorError('', `no backward step for layer ${missing.join(', ')}`);
  checkTargets(model, targets, inputs);
  const rec = new Map<string, Recorded>();
  const order: string[] = [];
  const fwd = forward(model, inputs, {
    hardSigmoid: opts.hardSigmoid,
    engine,
    tapeBudget: opts.maxTapeBytes ?? MAX_TAPE_BYTES,
    record: (call, ins, outs, kept) => {
      const key = callKey(call.layer.name, call.node);
      rec.set(key, { call, inputs: ins, outputs: outs, kept });
      order.push(key);
    },
  });

  // The loss over each output, and the gradient it sends back.
  const dOut = new Map<string, (NDArray | null)[]>();
  const seen = new Set<Float64Array>();
  const copies = new Set<Float64Array>();
  const seed = (layer: string, node: number, tensor: number, d: NDArray): void => {
    const key = callKey(layer, node);
    const r = rec.get(key)!;
    if (!dOut.has(key)) dOut.set(key, r.outputs.map(() => null));
    addInto(dOut.get(key)!, tensor, d, seen, copies);
  };
  let value = 0;
  model.outputs.forEach((o, i) => {
    const r = rec.get(callKey(o.layer, o.node))!;
    const t = r.outputs[o.tensor];
    const logits = getSpec(r.call.layer.className)?.outputsLogits?.(r.call.layer) ?? false;
    const lv = lossAndGrad(loss, t.array, targets[i], t.mask, logits, `output ${i + 1} (${o.layer})`);
    value += lv.value;
    seed(o.layer, o.node, o.tensor, lv.dY);
  });

  // The hard_sigmoid the forward pass evaluated (the file's own unless opts.hardSigmoid forces one) is the one differentiated.
  const kerasVersion = chooseHardSigmoid(model, opts.hardSigmoid).semantics === 'keras2' ? '2.0' : undefined;
  const prefix = variablePrefix(model);
  const perLayer = new Map<string, WeightGrad[]>();
  const norms: HiddenGradNorms[] = [];
  for (let i = order.length - 1; i >= 0; i--) {
    const r = rec.get(order[i])!;
    const d = dOut.get(order[i]);
    if (!d || isInputCall(model, r.call)) continue;
    const layer = r.call.layer;
    const ctx: BackwardCtx = {
      model,
      kerasVersion,
      trace: null,
      kept: r.kept,
      engine,
      wantInputGrads: r.call.inputs.map((ref) => !model.inputs.some((m) => m.layer === ref.layer)),
    };
    const res = getSpec(layer.className)!.backward!(layer, r.inputs, r.outputs, d, ctx);
    res.dInputs.forEach((dx, k) => {
      const ref = r.call.inputs[k];
      if (dx && ref && ctx.wantInputGrads![k]) seed(ref.layer, ref.node, ref.tensor, dx);
    });
    // This call's dL/d(outputs) are used up: pooled arrays (the batched BPTT's dX) go back, unless passed on as they are.
    for (const x of d) if (x && !res.dInputs.some((y) => y?.data === x.data)) releaseF64(x.data);
    // A layer called more than once (shared weights) gets the sum over its calls.
    const have = perLayer.get(layer.name);
    if (!have) perLayer.set(layer.name, res.dWeights.map((w) => ({ ...w, path: `${prefix}${layer.name}/${w.path}` })));
    else res.dWeights.forEach((w, k) => have[k] && have[k].data.forEach((_, j) => (have[k].data[j] += w.data[j])));
    norms.unshift(...(res.hiddenGradNorms ?? []).map((h) => ({ layer: layer.name, ...(h.direction ? { direction: h.direction } : {}), norms: h.norms, ...(h.engine ? { engine: h.engine } : {}) })));
  }
  // The tapes and the intermediate outputs go back to the pool (nothing returned refers to them).
  const returned = new Set(fwd.outputs.map((o) => o.array.data));
  for (const r of rec.values()) {
    releaseKept(r.kept);
    for (const o of r.outputs) if (!returned.has(o.array.data)) releaseF64(o.array.data);
  }
  const grads: WeightGrad[] = [];
  for (const l of model.layers) grads.push(...(perLayer.get(l.name) ?? []));
  return { loss, value, outputs: fwd.outputs, gradients: grads, hiddenGradNorms: norms };
}

/** Hands a kept tape's pooled arrays back (a recurrent layer's RnnTape, a Bidirectional's pair of them). */
function releaseKept(kept: unknown, depth = 0): void {
  if (!kept || typeof kept !== 'object' || depth > 2) return;
  for (const v of Object.values(kept as Record<string, unknown>)) {
    if (v instanceof Float64Array) releaseF64(v);
    else releaseKept(v, depth + 1);
  }
}
