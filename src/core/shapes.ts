/**
 * summarize(): what Keras's model.summary() shows (layer, output shape, parameter count, totals)
 * plus what the user's notebooks write by hand: the D/M/K legend, each weight's symbol and
 * notation (Wx D×M, Wh M×M, bh M, Wo M×K, bo K…), the parameter arithmetic and the equations.
 *
 * Shapes are propagated through the graph by the layer registry from the InputLayers' declared
 * shapes. Parameter counts come from the stored weights when the file has them, otherwise from
 * the weights the registry says the config creates (the same spec serves both, and any
 * disagreement between the two becomes a note).
 */
import type { Layer, Model, ModelFormat, Shape, Weight } from './model';
import { bytesPerElement } from './dtypes';
import { inFile } from './inFile';
import { forwardProblem } from './layers/support';
import { propagateShapes } from './propagate';
import { getSpec } from './layers/registry';
import { callKey, schedule } from './layers/graph';
import { biParts, recurrentBase } from './layers/wrappers';
import { chooseHardSigmoid, HARD_SIGMOID_FORMULA, usesHardSigmoid, type HardSigmoidChoice } from './hardSigmoid';
import { rnnParams } from './layers/recurrent';
import type { ExpectedWeight, Letter, NotationCtx, ShapeCtx, Term } from './layers/types';
import { Notation } from './notation';
import { fmtShape, matchWeights, normRole, note, prod } from './layers/util';

export interface SummaryWeight {
  name: string;
  role: string;
  shape: number[];
  dtype: string;
  trainable: boolean;
  params: number;
  /** User notation: "Wx", "Wh", "bh", "Wo", "bo"; LSTM/GRU the same symbols with gate blocks; Embedding "We". */
  symbol?: string;
  /** Shape in letters: "D×M", "M×M", "M", "M×K", "K", "D×4M", "M×4M", "4M", "2×3M", "V×E". */
  notation?: string;
  /** LSTM i,f,c,o; GRU z,r,h: which columns of the 4M/3M axis. */
  blocks?: { gate: string; columns: [number, number] }[];
}

export interface SummaryLayer {
  name: string;
  className: string;
  /** One per output; an empty list when the shape could not be determined (see notes). */
  outputShape: Shape[];
  params: number;
  trainableParams: number;
  weights: SummaryWeight[];
  /** Names of the layers feeding it, as "Connected to". */
  inbound: string[];
  arithmetic?: string;
  equations?: string[];
  inner?: SummaryLayer[];
  forwardSupported: boolean;
  /** The shape of each term of the equations, by the term's exact text ("h⁽²⁾_{t-1}" → M⁽²⁾, 4). */
  terms?: Record<string, Term>;
  /** Letters this layer introduces (M⁽¹⁾ = 6, hidden units of simple_rnn). */
  letters?: Letter[];
  /** Letter of the output's last axis ("M⁽¹⁾", "2M", "K") and the output vector ("h⁽¹⁾_t"). */
  outLetter?: string;
  outVector?: string;
  /** Each output's axes in letters, numbers where no letter applies: [["N", "T", "M⁽¹⁾"]]. */
  outputLetters?: string[][];
}

export interface Dims {
  N: number | null;
  T: number | null;
  D: number | null;
  M: number[];
  K: number | null;
}

export interface Summary {
  modelName: string;
  modelClass: string;
  format: ModelFormat;
  kerasVersion?: string;
  /** As Keras's model.layers: a Sequential's implicit InputLayer is not listed; a Functional model's InputLayers are. */
  layers: SummaryLayer[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Bytes of the weights as stored (float32 = 4). */
  totalBytes: number;
  dims: Dims;
  /** Every letter the notation uses, in reading order (N, T, D, M⁽¹⁾…, K), with its value and meaning. */
  legend: Letter[];
  /** The model's inputs (also a Sequential's implicit one): shape with batch axis and its letters. */
  inputs: { name: string; shape: Shape; letters: string[] }[];
  /** The hard_sigmoid the forward pass evaluates by default, when a layer uses it. */
  hardSigmoid?: HardSigmoidChoice;
  notes: string[];
  /** "not supported: <Class> (layer <name>)" for layers the forward pass cannot run. */
  unsupported: string[];
}

function summaryWeights(
  layer: Layer,
  inputs: Shape[] | null,
  model: Model,
  ctx: ShapeCtx,
): { weights: SummaryWeight[]; shapes: (number | null)[][] } {
  const spec = getSpec(layer.className);
  const frozen = layer.config?.trainable === false;
  let expected: ExpectedWeight[] | null = null;
  if (spec?.expectedWeights && inputs) {
    try {
      expected = spec.expectedWeights(layer, inputs, ctx, model.hasWeights ? layer.weights : undefined);
    } catch {
      expected = null;
    }
  } else if (!spec?.expectedWeights && spec) expected = [];

  if (model.hasWeights && (layer.weights.length || !expected)) {
    const stored = layer.weights;
    if (expected) {
      const matched = matchWeights(stored, expected);
      const problems: string[] = [];
      expected.forEach((e, i) => {
        const w = matched[i];
        if (!w) problems.push(`no stored '${e.role}' (expected ${fmtShape(e.shape)})`);
        else if (w.shape.length !== e.shape.length || e.shape.some((d, k) => d != null && d !== w.shape[k])) {
          problems.push(`stored '${normRole(w.role)}' is ${fmtShape(w.shape)}, its config implies ${fmtShape(e.shape)}`);
        }
      });
      if (stored.length > expected.length) problems.push(`${stored.length - expected.length} more stored weight(s) than its config creates`);
      if (problems.length) note(ctx, `layer ${layer.name} (${layer.className}): ${problems.join('; ')}`);
    }
    const trainableOf = (w: Weight): boolean => {
      if (frozen) return false;
      const e = expected?.find((x) => x.role === normRole(w.role));
      return e ? e.trainable : w.trainable;
    };
    return {
      weights: stored.map((w) => ({
        name: w.name,
        role: normRole(w.role),
        shape: w.shape.slice(),
        dtype: w.dtype,
        trainable: trainableOf(w),
        params: prod(w.shape) ?? 0,
      })),
      shapes: stored.map((w) => w.shape.slice()),
    };
  }
  if (!expected) {
    if (spec?.expectedWeights) note(ctx, `layer ${layer.name}: parameters unknown (input shape unknown)`);
    return { weights: [], shapes: [] };
  }
  if (expected.some((e) => e.shape.some((d) => d == null))) {
    note(ctx, `layer ${layer.name}: some weight sizes are unknown because its input shape is unknown`);
  }
  return {
    weights: expected.map((e) => ({
      name: `${layer.name}/${e.role}`,
      role: e.role,
      shape: e.shape.map((d) => d ?? 0),
      dtype: 'float32',
      trainable: !frozen && e.trainable,
      params: prod(e.shape) ?? 0,
    })),
    shapes: expected.map((e) => e.shape),
  };
}

function describeInto(layer: Layer, inputs: Shape[], row: SummaryLayer, shapes: (number | null)[][], ctx: ShapeCtx, where: NotationCtx): void {
  const spec = getSpec(layer.className);
  if (!spec?.describe) return;
  try {
    const d = spec.describe(layer, inputs, shapes, ctx, where);
    d.weights?.forEach((n, i) => {
      const w = row.weights[i];
      if (!w) return;
      if (n.symbol) w.symbol = n.symbol;
      if (n.notation) w.notation = n.notation;
      if (n.blocks) w.blocks = n.blocks;
    });
    if (d.arithmetic) row.arithmetic = d.arithmetic;
    if (d.equations) row.equations = d.equations;
    if (d.terms) row.terms = d.terms;
    if (d.letters?.length) row.letters = d.letters;
    if (d.outLetter) row.outLetter = d.outLetter;
    if (d.outVector) row.outVector = d.outVector;
  } catch {
    /* notation is a nicety: never fail the summary over it */
  }
}

function buildRow(
  layer: Layer,
  inputs: Shape[] | null,
  outputShape: Shape[] | null,
  inbound: string[],
  model: Model,
  ctx: ShapeCtx,
  where: NotationCtx,
): SummaryLayer {
  const { weights, shapes } = summaryWeights(layer, inputs, model, ctx);
  const params = weights.reduce((s, w) => s + w.params, 0);
  const trainableParams = weights.reduce((s, w) => s + (w.trainable ? w.params : 0), 0);
  const row: SummaryLayer = {
    name: layer.name,
    className: layer.className,
    outputShape: outputShape ?? [],
    params,
    trainableParams,
    weights,
    inbound,
    forwardSupported: forwardProblem(layer, model.kerasVersion) === null,
  };
  if (inputs) describeInto(layer, inputs, row, shapes, ctx, where);
  const spec = getSpec(layer.className);
  if (spec?.inner) {
    try {
      const inner = spec.inner(layer);
      if (spec.wraps === 2 && inputs) {
        const parts = biParts(layer, inputs[0], ctx);
        row.inner = parts.map((p) => {
          const m = model.hasWeights && p.weights.length > 0 ? model : { ...model, hasWeights: false };
          const pout = (() => {
            try {
              return getSpec(p.className)?.outputShapes(p, inputs, ctx) ?? null;
            } catch {
              return null;
            }
          })();
          return buildRow(p, inputs, pout, inbound, m, ctx, where);
        });
        // The wrapper's weights are its halves' weights.
        if (!layer.weights.length || !model.hasWeights) {
          row.weights = row.inner.flatMap((r) => r.weights);
          row.params = row.inner.reduce((s, r) => s + r.params, 0);
          row.trainableParams = row.inner.reduce((s, r) => s + r.trainableParams, 0);
        }
      } else if (spec.wraps === 1 && inputs) {
        const p = inner[0];
        const step: Shape = [inputs[0][0] ?? null, ...inputs[0].slice(2)];
        const pout = (() => {
          try {
            return getSpec(p.className)?.outputShapes(p, [step], ctx) ?? null;
          } catch {
            return null;
          }
        })();
        row.inner = [buildRow(p, [step], pout, inbound, model.hasWeights && p.weights.length ? model : { ...model, hasWeights: false }, ctx, where)];
        // Show the wrapped layer's notation on the wrapper's own weights too.
        row.weights.forEach((w, i) => {
          const iw = row.inner![0].weights[i];
          if (iw) {
            w.symbol = iw.symbol;
            w.notation = iw.notation;
            w.blocks = iw.blocks;
          }
        });
      }
    } catch {
      /* inner rows are a nicety */
    }
  }
  return row;
}

/** The summary of an opened model; a problem found here names its file (model.source.path). */
export function summarize(model: Model): Summary {
  return inFile(model.source?.path ?? '', () => summarizeIn(model));
}

function summarizeIn(model: Model): Summary {
  const ctx: ShapeCtx = { model, kerasVersion: model.kerasVersion, notes: [...(model.notes ?? [])] };
  const resolved = propagateShapes(model, ctx);
  const byName = new Map(model.layers.map((l) => [l.name, l]));

  // Rows are built in dependency order (each layer's notation names what feeds it), listed in the file's order.
  const notation = new Notation(model, (name) => resolved.out.get(callKey(name, 0)) ?? null);
  const scheduled = schedule(model).calls.filter((c) => c.node === 0).map((c) => c.layer);
  const rows = new Map<string, SummaryLayer>();
  const isInput = new Set(model.inputs.map((r) => r.layer));
  const inOrder = new Set(scheduled);
  for (const layer of [...scheduled, ...model.layers.filter((l) => !inOrder.has(l))]) {
    if (layer.implicit) continue;
    const key = callKey(layer.name, 0);
    if ((layer.inbound?.length ?? 0) > 1) note(ctx, `layer ${layer.name} is called ${layer.inbound.length} times; its row shows the first call's shapes`);
    const inbound = [...new Set((layer.inbound?.[0] ?? []).map((r) => r.layer))].filter((n) => !byName.get(n)?.implicit);
    const inputs = resolved.in.get(key) ?? null;
    const row = buildRow(layer, inputs, resolved.out.get(key) ?? null, inbound, model, ctx, notation.ctx(layer));
    if (!isInput.has(layer.name)) notation.record(layer, row, inputs);
    rows.set(layer.name, row);
  }
  const layers = model.layers.filter((l) => rows.has(l.name)).map((l) => rows.get(l.name)!);
  for (const l of layers) l.outputLetters = notation.axes(l.name);

  const hardSigmoid = usesHardSigmoid(model) ? chooseHardSigmoid(model) : undefined;
  if (hardSigmoid) {
    const other = hardSigmoid.semantics === 'keras2' ? 'keras3' : 'keras2';
    note(ctx, `hard_sigmoid is evaluated as ${hardSigmoid.why}; --hard-sigmoid ${other} (CLI) or the panel's hard_sigmoid choice switches to ${HARD_SIGMOID_FORMULA[other]}`);
  }

  const totalParams = layers.reduce((s, l) => s + l.params, 0);
  const trainableParams = layers.reduce((s, l) => s + l.trainableParams, 0);
  let totalBytes = 0;
  for (const l of layers) for (const w of l.weights) totalBytes += w.params * bytesPerElement(w.dtype);

  // D/M/K legend.
  const dims: Dims = { N: null, T: null, D: null, M: [], K: null };
  const { calls } = schedule(model);
  for (const call of calls) {
    const spec = getSpec(call.layer.className);
    if (!spec?.recurrent) continue;
    const ins = resolved.in.get(callKey(call.layer.name, call.node));
    if (call.node === 0) {
      if (dims.M.length === 0 && ins?.[0]) {
        dims.T = ins[0][1] ?? null;
        dims.D = ins[0][2] ?? null;
      }
      try {
        dims.M.push(rnnParams(recurrentBase(call.layer)).units);
      } catch {
        /* not a plain RNN */
      }
    }
  }
  const out0 = model.outputs[0];
  if (out0) {
    const producer = byName.get(out0.layer);
    let p = producer;
    // Look through transparent layers (Activation, Dropout) to the Dense that sets K.
    for (let g = 0; p && getSpec(p.className)?.transparent && g < 50; g++) p = byName.get(p.inbound?.[0]?.[0]?.layer ?? '');
    const units = p ? getSpec(p.className)?.outputUnits?.(p) : undefined;
    if (units !== undefined) dims.K = units;
    else {
      const s = resolved.out.get(callKey(out0.layer, out0.node))?.[out0.tensor];
      dims.K = s ? s[s.length - 1] ?? null : null;
    }
  }

  const unsupported: string[] = [];
  for (const layer of model.layers) {
    const why = forwardProblem(layer, model.kerasVersion);
    if (why) unsupported.push(why);
  }
  if (!model.hasWeights) note(ctx, 'the file holds no weights: parameter counts come from the configuration');

  return {
    modelName: model.name,
    modelClass: model.className,
    format: model.format,
    kerasVersion: model.kerasVersion,
    layers,
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    totalBytes,
    dims,
    legend: notation.legend,
    inputs: [...isInput].map((name) => ({ name, shape: resolved.out.get(callKey(name, 0))?.[0] ?? [], letters: notation.axes(name)[0] ?? [] })),
    ...(hardSigmoid ? { hardSigmoid } : {}),
    notes: ctx.notes,
    unsupported,
  };
}
