/**
 * Keras 3 operation layers a saved functional graph can hold (keras.src.ops…): NotEqual, which
 * Keras 3 inserts to compute Embedding(mask_zero)'s mask (x ≠ 0) and passes on as `mask=`.
 * Its constant is the call's second positional argument.
 */
import { InspectorError } from '../model';
import type { LayerSpec } from './types';
import { nd } from './util';

export const notEqualSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    if (!inputs[0]) throw new InspectorError('', `layer ${layer.name} (${layer.className}) has no input`);
    return [inputs[0]];
  },
  describe() {
    return { equations: ['y = (x ≠ c)'] };
  },
  forward(layer, inputs) {
    const x = inputs[0];
    const other = inputs[1]?.array.data ?? null;
    const c = Number(layer.callArgs?.args instanceof Array ? (layer.callArgs.args as unknown[])[1] ?? 0 : 0);
    const out = Float64Array.from(x.array.data, (v, i) => (v !== (other ? other[other.length === 1 ? 0 : i] : c) ? 1 : 0));
    return [{ array: nd(x.array.shape.slice(), out), mask: null }];
  },
};
