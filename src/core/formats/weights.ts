/**
 * Attaching stored weights to layers: role names, Keras 1 per-gate tensors, wrappers, trainability.
 * Shared by every container reader (HDF5, .keras, JSON, TF.js).
 */
import { InspectorError, type Layer, type Weight } from '../model';
import { getSpec } from '../layers/registry';
import { MAX_RANK, MAX_WEIGHT_ELEMENTS, show } from './configSchema';

/**
 * The roles of a layer's weights in get_weights() order, from its class and config: the layer
 * registry's own list of the weights Keras creates (roles do not depend on the input shape). Used
 * where the container does not name them (Keras 3 weight store vars/0…, JSON weight lists).
 */
export function expectedRoles(layer: Layer): string[] | undefined {
  const spec = getSpec(layer.className);
  if (!spec?.expectedWeights) return undefined;
  try {
    const unknown = [null, null, null];
    const roles = spec.expectedWeights(layer, [unknown], { model: undefined as never, notes: [] }).map((w) => w.role);
    return roles.length ? roles : undefined;
  } catch {
    return undefined;
  }
}

const NON_TRAINABLE_ROLES = new Set(['moving_mean', 'moving_variance', 'running_mean', 'running_std']);

/** Role from a stored name: "lstm/lstm_cell/kernel:0" → "kernel"; "layers/dense/vars/0" → undefined. */
export function roleFromName(name: string): string | undefined {
  const last = name.split('/').pop()!.replace(/:\d+$/, '');
  if (/^\d+$/.test(last)) return undefined;
  return last;
}

/**
 * Keras 1 stored recurrent layers as one tensor per gate (lstm_1_W_i, lstm_1_U_f, lstm_1_b_o…), in
 * gate-major order i, c, f, o. Keras 2 and later concatenate them along the last axis in the order
 * i, f, c, o (LSTM) / z, r, h (GRU). Convert so the rest of the core sees one layout.
 */
export function convertKeras1(layer: Layer, weights: Weight[]): Weight[] {
  const suffix = (w: Weight) => {
    const base = w.name.split('/').pop()!.replace(/:\d+$/, '');
    const m = /_(W|U|b|gamma|beta|running_mean|running_std)(?:_([a-z]))?$/.exec(base);
    return m ? { kind: m[1], gate: m[2] } : undefined;
  };
  const parsed = weights.map((w) => ({ w, s: suffix(w) }));
  if (!parsed.every((p) => p.s)) return weights;
  const spec = getSpec(layer.className);
  // Keras 1's gate tensors, taken in Keras 2's concatenation order (LSTM i, f, c, o; GRU z, r, h).
  const gates = spec?.keras1?.weights && spec.gates?.length ? spec.gates : undefined;
  const roleOf = (k: string) => (k === 'W' ? spec?.keras1?.wRole ?? 'kernel' : k === 'U' ? 'recurrent_kernel' : k === 'b' ? 'bias' : k === 'running_mean' ? 'moving_mean' : k === 'running_std' ? 'moving_variance' : k);
  if (!gates || !parsed.some((p) => p.s!.gate)) {
    return parsed.map(({ w, s }) => ({ ...w, role: roleOf(s!.kind) }));
  }
  const out: Weight[] = [];
  for (const kind of ['W', 'U', 'b']) {
    const parts = gates.map((g) => parsed.find((p) => p.s!.kind === kind && p.s!.gate === g)?.w);
    if (parts.some((p) => !p)) {
      if (kind === 'b' && parts.every((p) => !p)) continue;
      throw new InspectorError('', `Keras 1 ${layer.className} layer ${layer.name} is missing a ${kind} gate tensor`);
    }
    out.push(concatLastAxis(parts as Weight[], `${layer.name}/${roleOf(kind)} (Keras 1: ${parts.map((p) => p!.name.split('/').pop()).join(', ')})`, roleOf(kind)));
  }
  return out;
}

function concatLastAxis(parts: Weight[], name: string, role: string): Weight {
  const rows = parts[0].shape.length === 1 ? 1 : parts[0].shape[0];
  const widths = parts.map((p) => p.shape[p.shape.length - 1]);
  const total = widths.reduce((a, b) => a + b, 0);
  const shape = parts[0].shape.length === 1 ? [total] : [rows, total];
  let data: Float32Array | undefined;
  if (parts.every((p) => p.data)) {
    data = new Float32Array(rows * total);
    let col = 0;
    parts.forEach((p, k) => {
      const w = widths[k];
      for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) data![r * total + col + j] = p.data![r * w + j];
      col += w;
    });
  }
  return { name, role, shape, dtype: parts[0].dtype, trainable: true, data };
}

/**
 * Gives a layer its stored weights (get_weights() order), naming roles where the container did not,
 * marking non-trainable ones, and splitting them over wrapped layers.
 */
export function attachWeights(layer: Layer, weights: Weight[]): void {
  for (const w of weights) checkWeightShape(layer, w);
  let ws = weights;
  if (getSpec(layer.className)?.keras1?.weights) {
    ws = convertKeras1(layer, ws);
  }
  const roles = expectedRoles(layer);
  ws = ws.map((w, i) => {
    const role = w.role || (roleFromName(w.name) ?? roles?.[i] ?? `weight_${i}`);
    const trainable = layer.config.trainable !== false && !NON_TRAINABLE_ROLES.has(role);
    return { ...w, role, trainable };
  });
  layer.weights = ws;
  if (layer.inner?.length === 1) {
    attachWeights(layer.inner[0], ws);
    layer.weights = layer.inner[0].weights.map((w) => ({ ...w, trainable: w.trainable && layer.config.trainable !== false }));
  } else if (layer.inner?.length === 2) {
    const half = ws.length / 2;
    attachWeights(layer.inner[0], ws.slice(0, half));
    attachWeights(layer.inner[1], ws.slice(half));
    layer.weights = [...layer.inner[0].weights, ...layer.inner[1].weights];
  }
}

/** A stored weight's shape is a list of whole sizes ≥ 1 (at most MAX_RANK, MAX_WEIGHT_ELEMENTS in all) matching its values. */
export function checkWeightShape(layer: Layer, w: Weight): void {
  const what = `layer "${layer.name}": weight "${w.name}"`;
  const shape: unknown = w.shape;
  if (!Array.isArray(shape)) throw new InspectorError('', `${what} has the shape ${show(shape)}, not a list of sizes`);
  if (shape.length > MAX_RANK) throw new InspectorError('', `${what} has ${shape.length} axes, more than ${MAX_RANK}`);
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) throw new InspectorError('', `${what} has the shape ${show(shape)}: every size must be a whole number of at least 1`);
    n *= d;
  }
  if (n > MAX_WEIGHT_ELEMENTS) throw new InspectorError('', `${what} has the shape ${show(shape)}: ${n} values, more than ${MAX_WEIGHT_ELEMENTS}`);
  if (w.data && w.data.length !== n) throw new InspectorError('', `${what} has the shape ${show(shape)} (${n} values) but holds ${w.data.length}`);
}
