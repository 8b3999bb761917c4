/**
 * forward(): the by-hand forward pass. Walks the graph's calls in dependency order and runs each
 * layer's registry step on float64 arrays; recurrent layers record h_t per step when traced.
 */
import { InspectorError, type Model, type NDArray, type Shape, type TensorRef } from './model';
import { inFile } from './inFile';
import { getSpec } from './layers/registry';
import { callKey, schedule, type Call } from './layers/graph';
import { inputLayerShape, isInputLayer } from './layers/core';
import type { RunCtx, Tensor } from './layers/types';
import { fmtShape } from './layers/util';
import { forwardProblem } from './layers/support';
import { isPooled, releaseF64 } from './math/bufferPool';
import { chooseHardSigmoid, usesHardSigmoid, type HardSigmoid, type HardSigmoidChoice } from './hardSigmoid';

export interface ForwardOptions {
  /** Collect hidden states. */
  trace?: boolean;
  isCancelled?: () => boolean;
  /**
   * Which hard_sigmoid to evaluate. 'auto' (default): the definition of the framework that wrote
   * the file (Keras 1/2, tf.keras 2.x, TF.js: clip(0.2·x + 0.5, 0, 1); Keras 3: relu6(x + 3) / 6).
   * 'keras2' / 'keras3' force one.
   */
  hardSigmoid?: HardSigmoid | 'auto';
  /**
   * Called after each layer call with its inputs, outputs and what its forward step kept for the
   * backward pass (setting this makes the recurrent engine keep its tape): used by gradients().
   */
  record?: (call: Call, inputs: Tensor[], outputs: Tensor[], kept: unknown) => void;
  /** With `record`: bytes the recurrent layers' tapes may take in all (a layer over it refuses, naming itself). */
  tapeBudget?: number;
  /**
   * Arithmetic of the SIMD kernels: 'f64' (default: the exact reference, equal to the TypeScript
   * kernels within 1e-12) or 'f32' (Keras's own float32 arithmetic, faster).
   */
  precision?: 'f64' | 'f32';
  /** 'reference': the pure-TypeScript kernels only; 'fast' (default): SIMD kernels where they apply. */
  engine?: 'fast' | 'reference';
  /** Sees each layer's inputs just before it runs (the step-through reads a recurrent layer's sequence). */
  onLayerInputs?: (layer: string, inputs: NDArray[]) => void;
  /** Sees each layer call's outputs as soon as it has run (nonFinite.ts: where a NaN first appears). */
  onLayerOutputs?: (layer: string, outputs: NDArray[]) => void;
}

export interface NamedArray {
  name: string;
  array: NDArray;
}

export interface LayerTrace {
  layer: string;
  /** The recurrent class that produced the states (for Bidirectional: the wrapped class). */
  className: string;
  direction?: 'forward' | 'backward';
  /** (N, T, M): h_t per step, in processing order. */
  states: NDArray;
}

export interface ForwardResult {
  /** One per model output, named after the producing layer (+ ":i" when it has several). */
  outputs: NamedArray[];
  traces: LayerTrace[];
  /**
   * The arithmetic used: 'f32' when a layer ran on the float32 kernels, else 'f64'.
   * `kernels` says whether any layer ran on the WebAssembly SIMD kernels.
   */
  precision: 'f64' | 'f32';
  kernels: 'wasm-simd' | 'typescript';
  /** The hard_sigmoid evaluated and why; present when a layer of the model uses hard_sigmoid. */
  hardSigmoid?: HardSigmoidChoice;
}

function checkInput(x: NDArray, expected: Shape | null, i: number, count: number, layer: string): void {
  const where = `input ${i + 1} of ${count} (layer ${layer})`;
  let n = 1;
  for (const d of x.shape) n *= d;
  if (n !== x.data.length) throw new InspectorError('', `${where}: shape ${fmtShape(x.shape)} does not match its ${x.data.length} values`);
  if (!expected) return;
  const ok = x.shape.length === expected.length && expected.every((d, k) => k === 0 || d == null || d === x.shape[k]);
  if (!ok) {
    throw new InspectorError('', `${where} has shape ${fmtShape(x.shape)}, but the model expects ${fmtShape(expected)}`);
  }
}

/** Drops the tensors whose last consumer was call `ci` and gives their pooled arrays back (when no live tensor shares the buffer). */
function releaseDead(values: Map<string, Tensor[]>, call: Call, ci: number, lastUse: Map<string, number>): void {
  const dead: Tensor[] = [];
  for (const r of [...call.inputs, ...(call.masks ?? [])]) {
    const k = callKey(r.layer, r.node);
    if (lastUse.get(k) !== ci || !values.has(k)) continue;
    dead.push(...values.get(k)!);
    values.delete(k);
  }
  const arrays = dead.map((t) => t.array.data).filter(isPooled);
  if (!arrays.length) return;
  const live = new Set<ArrayBufferLike>();
  for (const ts of values.values()) for (const t of ts) live.add(t.array.data.buffer);
  for (const a of new Set(arrays)) if (!live.has(a.buffer)) releaseF64(a);
}

/** Problems found after the file was opened name it (model.source.path). */
export function forward(model: Model, inputs: NDArray[], opts: ForwardOptions = {}): ForwardResult {
  return inFile(model.source?.path ?? '', () => forwardIn(model, inputs, opts));
}

function forwardIn(model: Model, inputs: NDArray[], opts: ForwardOptions = {}): ForwardResult {
  const tapeLeft = { bytes: opts.tapeBudget ?? Infinity };
  if (!model.hasWeights) {
    throw new InspectorError('', 'the file holds no weights (architecture only): the forward pass needs weights');
  }
  const { calls, unresolved } = schedule(model);
  if (unresolved.length) {
    throw new InspectorError('', `layer ${unresolved[0].layer.name}: its inputs could not be resolved in the graph`);
  }
  for (const c of calls) {
    const why = forwardProblem(c.layer, model.kerasVersion);
    if (why) throw new InspectorError('', why);
  }
  if (inputs.length !== model.inputs.length) {
    const shapes = model.inputs.map((r) => {
      const l = model.layers.find((x) => x.name === r.layer);
      const s = l ? inputLayerShape(l, model) : null;
      return s ? fmtShape(s) : '?';
    });
    throw new InspectorError(
      '',
      `the model takes ${model.inputs.length} input${model.inputs.length === 1 ? '' : 's'} (${shapes.join(', ')}) but ${inputs.length} ${inputs.length === 1 ? 'was' : 'were'} given`,
    );
  }

  const traces: LayerTrace[] = [];
  let usedFast = false;
  let usedF32 = false;
  const hs = chooseHardSigmoid(model, opts.hardSigmoid);
  const ctx: RunCtx = {
    model,
    // Activations follow today's Keras except hard_sigmoid, whose definition follows hs.
    kerasVersion: hs.semantics === 'keras2' ? '2.0' : undefined,
    trace: opts.trace ? (layer, className, direction, states) => traces.push({ layer, className, ...(direction ? { direction } : {}), states }) : null,
    isCancelled: opts.isCancelled,
    precision: opts.precision ?? 'f64',
    engine: opts.engine ?? 'fast',
    usedFast: (p) => {
      usedFast = true;
      if (p === 'f32') usedF32 = true;
    },
  };
  const values = new Map<string, Tensor[]>();
  // Intermediate tensors' arrays go back to the kernels' pool (math/bufferPool.ts) after their last
  // consumer, unless something outside could hold them (a trace, a callback, the backward pass).
  const pooling = !opts.trace && !opts.record && !opts.onLayerInputs && !opts.onLayerOutputs;
  const lastUse = new Map<string, number>();
  if (pooling) {
    calls.forEach((c, i) => [...c.inputs, ...(c.masks ?? [])].forEach((r) => lastUse.set(callKey(r.layer, r.node), i)));
    for (const r of model.outputs) lastUse.set(callKey(r.layer, r.node), Infinity);
    // The caller's inputs are never ours to give back (one may be a pooled output of an earlier pass).
    for (const c of calls) if (isInputLayer(c.layer)) lastUse.set(callKey(c.layer.name, c.node), Infinity);
  }
  for (const [ci, call] of calls.entries()) {
    if (opts.isCancelled?.()) throw new InspectorError('', 'cancelled');
    const layer = call.layer;
    const key = callKey(layer.name, call.node);
    if (isInputLayer(layer)) {
      const idx = model.inputs.findIndex((r) => r.layer === layer.name);
      if (idx < 0) continue; // an input the model does not use
      const x = inputs[idx];
      checkInput(x, inputLayerShape(layer, model), idx, inputs.length, layer.name);
      values.set(key, [{ array: x, mask: null }]);
      opts.record?.(call, [], values.get(key)!, undefined);
      continue;
    }
    const get = (r: TensorRef) => {
      const t = values.get(callKey(r.layer, r.node))?.[r.tensor];
      if (!t) throw new InspectorError('', `layer ${layer.name}: input from ${r.layer} is not available`);
      return t;
    };
    const ins = call.inputs.map(get);
    // `mask=` tensors Keras 3 recorded for the call: they are the inputs' masks.
    call.masks?.forEach((r, i) => {
      const m = get(r).array;
      if (ins[i] && m.shape.length === 2) ins[i] = { ...ins[i], mask: Uint8Array.from(m.data, (v) => (v ? 1 : 0)) };
    });
    const spec = getSpec(layer.className)!;
    if (opts.record) ctx.keep = { budget: tapeLeft };
    opts.onLayerInputs?.(layer.name, ins.map((t) => t.array));
    values.set(key, spec.forward!(layer, ins, ctx));
    opts.onLayerOutputs?.(layer.name, values.get(key)!.map((t) => t.array));
    opts.record?.(call, ins, values.get(key)!, ctx.keep?.value);
    if (pooling) releaseDead(values, call, ci, lastUse);
  }
  const outputs: NamedArray[] = model.outputs.map((r) => {
    const ts = values.get(callKey(r.layer, r.node));
    const t = ts?.[r.tensor];
    if (!ts || !t) throw new InspectorError('', `model output ${r.layer} was not computed`);
    return { name: ts.length > 1 ? `${r.layer}:${r.tensor}` : r.layer, array: t.array };
  });
  return {
    outputs,
    traces,
    precision: usedF32 ? 'f32' : 'f64',
    kernels: usedFast ? 'wasm-simd' : 'typescript',
    ...(usesHardSigmoid(model) ? { hardSigmoid: hs } : {}),
  };
}
