/**
 * Where each layer sits in the user's notation, decided once for the whole graph: the layer's
 * superscript (h⁽¹⁾, h⁽²⁾ when the model has several layers whose symbols need telling apart),
 * the letter and vector of its input (D and x_t for the model's input, M⁽¹⁾ and h⁽¹⁾_t after
 * layer 1, 2M⁽¹⁾ and [h→_T, h←_1] after a Bidirectional concat), whether it makes a model
 * output (Wo / bo, K), the letters of every tensor's axes (for the diagram's edges: (N, T, M⁽¹⁾)),
 * and the legend of every letter used.
 *
 * It only uses the layer specs' flags (`recurrent`, `transparent`, `indexed`) and what each
 * spec's `describe` returns (`outLetter`, `outVector`, `letters`); it never names a Keras class.
 */
import type { Layer, Model, Shape } from './model';
import { getSpec } from './layers/registry';
import { consumers, schedule } from './layers/graph';
import type { Description, Letter, NotationCtx } from './layers/types';

const SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const SUB = '₀₁₂₃₄₅₆₇₈₉';
/** 2 → "⁽²⁾" (the notebooks' layer index). */
export const superscript = (n: number): string => `⁽${[...String(n)].map((d) => SUP[Number(d)]).join('')}⁾`;
/** 2 → "₂". */
export const subscript = (n: number): string => [...String(n)].map((d) => SUB[Number(d)]).join('');

/** What is known of one tensor in letters: its axes ("N", "T", "M⁽¹⁾"), the vector the equations call it. */
interface TensorNotation {
  /** Letter of the last axis (undefined: only its number is known). */
  letter?: string;
  /** Letter of the time axis of a sequence (or of the ids of an integer input). */
  time?: string;
  /** The tensor as the equations write it ("x_t", "h⁽¹⁾_t", "h_T"). */
  vector?: string;
}

/** Whether a layer feeds a model output directly or through transparent layers only. */
export function feedsOutput(model: Model, name: string, depth = 0): boolean {
  if (model.outputs.some((r) => r.layer === name)) return true;
  if (depth > 50) return false;
  const next = consumers(model, name);
  return next.length > 0 && next.every((l) => getSpec(l.className)?.transparent && feedsOutput(model, l.name, depth + 1));
}

export class Notation {
  /** Every letter used, in the order a reader meets them (N, T, D, then layer by layer). */
  readonly legend: Letter[] = [];
  /** The letters already in the legend (a set: a 100,000-layer model has 100,000 letters). */
  private readonly letters = new Set<string>();
  private readonly tensors = new Map<string, TensorNotation[]>();
  private readonly sup = new Map<string, string>();
  private readonly outIndex = new Map<string, string>();
  private readonly inputs: string[];

  constructor(
    private readonly model: Model,
    /** Output shapes of each layer's first call. */
    private readonly outShapes: (name: string) => Shape[] | null,
  ) {
    this.inputs = [...new Set(model.inputs.map((r) => r.layer))];
    const { calls } = schedule(model);
    const first = calls.filter((c) => c.node === 0 && !this.inputs.includes(c.layer.name));
    // Output layers that write Wo / bo: one per model output that is not a recurrent layer.
    const outs = first.filter((c) => !getSpec(c.layer.className)?.recurrent && getSpec(c.layer.className)?.indexed && feedsOutput(model, c.layer.name));
    if (outs.length > 1) outs.forEach((c, i) => this.outIndex.set(c.layer.name, subscript(i + 1)));
    const indexed = first.filter((c) => getSpec(c.layer.className)?.indexed && !outs.includes(c));
    if (indexed.length > 1) indexed.forEach((c, i) => this.sup.set(c.layer.name, superscript(i + 1)));

    this.add({ letter: 'N', value: null, meaning: 'samples' });
    this.inputs.forEach((name, i) => {
      const s = this.outShapes(name)?.[0] ?? [];
      const k = this.inputs.length > 1 ? subscript(i + 1) : '';
      const of = this.inputs.length > 1 ? ` of input ${name}` : '';
      const rank = s.length;
      // A 2-D input is a sequence of ids when its consumer adds an axis (an Embedding), else features.
      const ids = rank === 2 && consumers(model, name).some((c) => (this.outShapes(c.name)?.[0]?.length ?? 0) > 2);
      const t: TensorNotation = rank >= 3 || ids ? { time: `T${k}` } : {};
      if (t.time) this.add({ letter: `T${k}`, value: s[1] ?? null, meaning: `sequence length${of}` });
      if (rank === 2 && !ids) {
        t.letter = `D${k}`;
        t.vector = `x${k}`;
        this.add({ letter: `D${k}`, value: s[1] ?? null, meaning: `input features${of}` });
      }
      if (rank >= 3) {
        t.letter = `D${k}`;
        t.vector = `x${k}_t`;
        this.add({ letter: `D${k}`, value: s[rank - 1] ?? null, meaning: `input features${of}` });
      }
      this.tensors.set(name, [t]);
    });
  }

  private add(l: Letter): void {
    if (this.letters.has(l.letter)) return;
    this.letters.add(l.letter);
    this.legend.push(l);
  }

  private input(layer: Layer): TensorNotation {
    const ref = layer.inbound?.[0]?.[0];
    return (ref && this.tensors.get(ref.layer)?.[ref.tensor]) ?? this.tensors.get(ref?.layer ?? '')?.[0] ?? {};
  }

  /** The context a layer's `describe` gets. */
  ctx(layer: Layer): NotationCtx {
    const i = this.input(layer);
    return {
      isOutput: feedsOutput(this.model, layer.name),
      outIndex: this.outIndex.get(layer.name) ?? '',
      sup: this.sup.get(layer.name) ?? '',
      inLetter: i.letter,
      inVector: i.vector,
    };
  }

  /** Records what a layer's description says about its output, for its consumers and the legend. */
  record(layer: Layer, d: Pick<Description, 'letters' | 'outLetter' | 'outVector'> | undefined, inputs: Shape[] | null): void {
    const spec = getSpec(layer.className);
    const i = this.input(layer);
    for (const l of d?.letters ?? []) this.add(l);
    const outs = this.outShapes(layer.name) ?? [];
    const inLen = inputs?.[0]?.[1];
    this.tensors.set(
      layer.name,
      outs.map((s, k): TensorNotation => {
        // A sequence keeps its input's time letter while its length is unchanged.
        const time = s.length >= 3 && i.time && s[1] === inLen ? i.time : undefined;
        if (spec?.transparent && !d?.outLetter) return { ...i };
        return { letter: d?.outLetter, time, vector: k === 0 ? d?.outVector : undefined };
      }),
    );
  }

  /** The axes of a layer's outputs in letters: [["N", "T", "M⁽¹⁾"]]; numbers where no letter is known. */
  axes(name: string): string[][] {
    const shapes = this.outShapes(name) ?? [];
    const t = this.tensors.get(name) ?? [];
    return shapes.map((s, k) =>
      s.map((d, ax) => {
        if (ax === 0) return 'N';
        const n = t[k] ?? {};
        if (ax === s.length - 1 && n.letter && (s.length >= 3 || ax === 1)) return n.letter;
        if (ax === 1 && n.time && s.length >= 2) return n.time;
        return d == null ? 'None' : String(d);
      }),
    );
  }
}
