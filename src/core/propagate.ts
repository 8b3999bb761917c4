/**
 * Shape propagation: each layer call's input and output shapes, from the InputLayers' declared
 * shapes through the registry's `outputShapes`, in the order `schedule` gives.
 */
import { InspectorError, type Model, type Shape } from './model';
import { getSpec } from './layers/registry';
import { callKey, schedule } from './layers/graph';
import { inputLayerShape, isInputLayer } from './layers/core';
import type { ShapeCtx } from './layers/types';
import { note } from './layers/util';

export interface Resolved {
  /** Output shapes per layer#node (null: unknown). */
  out: Map<string, Shape[] | null>;
  /** Input shapes per layer#node. */
  in: Map<string, Shape[] | null>;
}

/** Propagates shapes through the graph. */
export function propagateShapes(model: Model, ctx: ShapeCtx): Resolved {
  const { calls, unresolved } = schedule(model);
  for (const c of unresolved) note(ctx, `layer ${c.layer.name}: its inputs could not be resolved in the graph`);
  const out = new Map<string, Shape[] | null>();
  const ins = new Map<string, Shape[] | null>();
  for (const call of calls) {
    const key = callKey(call.layer.name, call.node);
    const layer = call.layer;
    if (isInputLayer(layer)) {
      const s = inputLayerShape(layer, model);
      if (!s) note(ctx, `input ${layer.name}: no input shape is recorded in the file`);
      ins.set(key, []);
      out.set(key, [s ?? [null]]);
      continue;
    }
    const inputs = call.inputs.map((r) => {
      const produced = out.get(callKey(r.layer, r.node));
      if (produced && r.tensor >= produced.length) {
        const n = produced.length;
        throw new InspectorError('', `layer "${layer.name}" takes output ${r.tensor} of "${r.layer}", which has ${n} output${n === 1 ? '' : 's'}`);
      }
      return produced?.[r.tensor] ?? null;
    });
    ins.set(key, inputs.every((s) => s) ? (inputs as Shape[]) : null);
    const spec = getSpec(layer.className);
    if (!spec) {
      note(ctx, `layer ${layer.name}: ${layer.className} is not known to this version, so its output shape is unknown`);
      out.set(key, null);
      continue;
    }
    if (inputs.some((s) => !s)) {
      out.set(key, null);
      continue;
    }
    try {
      out.set(key, spec.outputShapes(layer, inputs as Shape[], ctx));
    } catch (e) {
      note(ctx, `layer ${layer.name}: output shape unknown (${(e as Error).message})`);
      out.set(key, null);
    }
  }
  for (const r of model.outputs) {
    const produced = out.get(callKey(r.layer, r.node));
    if (produced && r.tensor >= produced.length) {
      const n = produced.length;
      throw new InspectorError('', `the model output is output ${r.tensor} of "${r.layer}", which has ${n} output${n === 1 ? '' : 's'}`);
    }
  }
  return { out, in: ins };
}
