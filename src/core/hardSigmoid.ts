/**
 * Which hard_sigmoid a file's predictions were made with. The one activation whose definition
 * changed between Keras versions: Keras 1/2, tf.keras 2.x (≤ 2.15) and the TF.js runtime compute
 * clip(0.2·x + 0.5, 0, 1); Keras 3 computes relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1).
 * By default the forward pass follows the framework that wrote the file.
 */
import type { Layer, Model } from './model';
import { activationName } from './math/activations';

export type HardSigmoid = 'keras2' | 'keras3';

export interface HardSigmoidChoice {
  semantics: HardSigmoid;
  /** 'file': chosen from the file's metadata; 'option': asked for by the user. */
  source: 'file' | 'option';
  /** Plain words: which definition and why, e.g. "clip(0.2x + 0.5), Keras 1/2's: the file was written by Keras 2.1.5". */
  why: string;
}

export const HARD_SIGMOID_FORMULA: Record<HardSigmoid, string> = {
  keras2: 'clip(0.2x + 0.5, 0, 1)',
  keras3: 'relu6(x + 3) / 6',
};

function layerUses(layer: Layer): boolean {
  const c = layer.config ?? {};
  return activationName(c.activation) === 'hard_sigmoid' || activationName(c.recurrent_activation) === 'hard_sigmoid' || (layer.inner ?? []).some(layerUses);
}

/** Whether any layer of the model evaluates hard_sigmoid (as activation or recurrent activation). */
export function usesHardSigmoid(model: Model): boolean {
  return model.layers.some(layerUses);
}

/** The definition of the framework that wrote the file, from its recorded version / format. */
export function fileHardSigmoid(model: Model): { semantics: HardSigmoid; writer: string } {
  if (model.format.id === 'tfjs-layers') return { semantics: 'keras2', writer: 'a TensorFlow.js model (TF.js computes Keras 2\'s definition)' };
  const v = model.kerasVersion?.trim();
  if (v && /^[12]\./.test(v)) return { semantics: 'keras2', writer: `the file was written by Keras ${v}` };
  if (!v && /Keras 1/.test(model.format.label)) return { semantics: 'keras2', writer: 'the file was written by Keras 1' };
  if (v) return { semantics: 'keras3', writer: `the file was written by Keras ${v}` };
  return { semantics: 'keras3', writer: "the file records no Keras version: today's Keras" };
}

/** The definition to evaluate: the user's choice, else the file's own. */
export function chooseHardSigmoid(model: Model, option?: HardSigmoid | 'auto'): HardSigmoidChoice {
  const file = fileHardSigmoid(model);
  const semantics = option && option !== 'auto' ? option : file.semantics;
  const name = semantics === 'keras2' ? "Keras 1/2's" : "Keras 3's";
  const why =
    option && option !== 'auto'
      ? `${HARD_SIGMOID_FORMULA[semantics]}, ${name}, as asked${semantics === file.semantics ? '' : ` (the file's own is ${HARD_SIGMOID_FORMULA[file.semantics]}: ${file.writer})`}`
      : `${HARD_SIGMOID_FORMULA[semantics]}, ${name}: ${file.writer}`;
  return { semantics, source: option && option !== 'auto' ? 'option' : 'file', why };
}

/** Parses a user's value ('keras2', 'keras3', 'auto'; also 'keras1', '2', '3'); undefined if not one. */
export function parseHardSigmoid(s: string | undefined): HardSigmoid | 'auto' | undefined {
  const v = (s ?? '').trim().toLowerCase();
  if (v === 'auto' || v === 'file' || v === 'default') return 'auto';
  if (v === 'keras2' || v === 'keras1' || v === '2' || v === '1' || v === 'old') return 'keras2';
  if (v === 'keras3' || v === '3' || v === 'new') return 'keras3';
  return undefined;
}

/** The line a failed verification adds when the other definition matches. */
export function otherMatchesLine(other: HardSigmoid): string {
  return other === 'keras3'
    ? "matches when hard_sigmoid is Keras 3's (relu6(x + 3) / 6): these predictions were made with Keras ≥ 3 (--hard-sigmoid keras3)"
    : "matches when hard_sigmoid is Keras 1/2's (clip(0.2x + 0.5)): these predictions were made with Keras 1/2, tf.keras 2 or TF.js (--hard-sigmoid keras2)";
}
