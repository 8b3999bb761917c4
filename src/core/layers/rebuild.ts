/**
 * Rebuilding layers from a file that has weights but no model config: which class a list of
 * stored weights looks like (`fromWeights`), and the config Keras defaults would give it
 * (`inferConfig`). The registry attaches these hooks to the classes they describe.
 *
 * kernel (D, k·M) + recurrent_kernel (M, k·M): k = 1 SimpleRNN, 3 GRU, 4 LSTM.
 */
import type { Layer, Weight } from '../model';

const byRole = (ws: Weight[], r: string): Weight | undefined => ws.find((w) => w.role === r);

/** k of kernel (D, k·M) + recurrent_kernel (M, k·M), when the weights are a plain recurrent layer's. */
function gateWidth(ws: Weight[]): number | undefined {
  const rk = byRole(ws, 'recurrent_kernel') ?? (ws.length >= 2 && ws[1].shape.length === 2 ? ws[1] : undefined);
  const k = byRole(ws, 'kernel') ?? ws[0];
  if (rk && k && k.shape.length === 2 && rk.shape.length === 2 && rk.shape[1] % rk.shape[0] === 0 && k.shape[1] === rk.shape[1] && ws.length <= 3) {
    return rk.shape[1] / rk.shape[0];
  }
  return undefined;
}

/** A recurrent class with `gates` gate blocks (0 for SimpleRNN): Keras 1 per-gate tensors are 3 per gate. */
export function recurrentFromWeights(gates: number): (ws: Weight[]) => boolean {
  return (ws) => (gates > 1 && ws.length === 3 * gates) || gateWidth(ws) === Math.max(1, gates);
}

export function recurrentInferConfig(gates: number): (layer: Layer) => void {
  return (target) => {
    const ws = target.weights;
    const rk = ws.find((w) => w.role === 'recurrent_kernel') ?? ws[1];
    // Keras 1 per-gate W is (D, M).
    target.config.units = ws.length === 12 || ws.length === 9 ? ws[0].shape[1] : rk.shape[0];
    target.config.activation = 'tanh';
    if (gates > 0) target.config.recurrent_activation = 'sigmoid';
    if (gates === 3) {
      const b = ws.find((w) => w.role === 'bias');
      target.config.reset_after = !!b && b.shape.length === 2;
    }
    target.config.use_bias = ws.some((w) => w.role === 'bias');
  };
}

export const denseFromWeights = (ws: Weight[]): boolean => {
  const k = byRole(ws, 'kernel') ?? ws[0];
  return !!k && k.shape.length === 2;
};

export function denseInferConfig(target: Layer): void {
  const k = target.weights.find((w) => w.role === 'kernel');
  target.config.units = k ? k.shape[k.shape.length - 1] : null;
  target.config.activation = 'linear';
  target.config.use_bias = target.weights.some((w) => w.role === 'bias');
}

export function embeddingInferConfig(target: Layer): void {
  const e = target.weights[0];
  if (e) Object.assign(target.config, { input_dim: e.shape[0], output_dim: e.shape[1] });
}

export const batchNormFromWeights = (ws: Weight[]): boolean => ws.length === 4 && ws.every((w) => w.shape.length === 1);

export function dropoutInferConfig(target: Layer): void {
  target.config.rate = 0;
}

export function activationInferConfig(target: Layer, notes: string[], shownAs: string): void {
  target.config.activation = 'linear';
  notes.push(`activation of layer ${shownAs} unknown (no config): taken as linear`);
}

export function repeatVectorInferConfig(target: Layer, notes: string[], shownAs: string): void {
  target.config.n = null;
  notes.push(`repeat count of layer ${shownAs} unknown (no config)`);
}
