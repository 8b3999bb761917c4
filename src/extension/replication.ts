/**
 * Copy NumPy Replication: Python that rebuilds Wx, Wh, bh, Wo, bo from the file and replays the
 * forward loop the way the user's notebooks do, then compares with model.predict / the stored
 * predictions. No vscode import.
 */
import { getSpec, pyComment, pyInt, pyStr, type Layer, type LayerSpec, type Model } from '../core';

export interface ReplicationOptions {
  seed: number;
  samples: number;
  timesteps: number;
  /** Input / expected files to load instead of random inputs (absolute paths). */
  inputsPath?: string;
  expectedPath?: string;
  perSample: (number | null)[];
  integerVocab?: number;
}

/**
 * Every file-derived string is written as data: Python string literals through core/text's pyStr,
 * comments through pyComment (one visible line), numbers through pyInt (validated, or a clear error).
 */
export const py = pyStr;
export const cm = pyComment;
const shapeText = (s: number[]): string => cm(`(${s.join(', ')}${s.length === 1 ? ',' : ''})`);

const FULL_MODEL = new Set(['keras-h5', 'keras-v3-zip']);
/** How the replication replays a layer: the layer registry says (LayerSpec.numpy). */
export const replay = (l: Layer): LayerSpec['numpy'] => getSpec(l.className)?.numpy;
export const gateCount = (l: Layer): number => getSpec(l.className)?.gates?.length ?? 0;

interface Emitted {
  vars: string[];
  loads: string[];
  step: string[];
}

/** The Python variable of an Embedding's matrix: E_<layer name as an identifier>. */
export const embeddingVar = (layer: Layer): string => `E_${layer.name.replace(/\W/g, '_').slice(0, 60)}`;

export function act(name: unknown, fallback: string): string {
  const a = typeof name === 'string' ? name : fallback;
  return `ACT[${py(a)}]`;
}

/** Variable names: the notebook's Wx, Wh, bh, Wo, bo when there is one of each, suffixed otherwise. */
export function namer(model: Model): (base: string, layer: Layer) => string {
  const isRnn = (l: Layer): boolean => replay(l) === 'rnn' || replay(l) === 'bidirectional';
  const isDense = (l: Layer): boolean => replay(l) === 'dense';
  const rnnCount = model.layers.filter(isRnn).length;
  const denseCount = model.layers.filter(isDense).length;
  const idx = new Map<string, number>();
  let r = 0;
  let d = 0;
  for (const l of model.layers) {
    if (isRnn(l)) idx.set(l.name, ++r);
    else if (isDense(l)) idx.set(l.name, ++d);
  }
  return (base, layer) => {
    const many = /^(Wo|bo)$/.test(base) ? denseCount > 1 : rnnCount > 1;
    return many ? `${base}${idx.get(layer.name) ?? ''}` : base;
  };
}

export function loadLine(model: Model, layer: Layer, names: string[], weightIdx: number[]): string {
  const shapes = weightIdx.map((i) => layer.weights[i]?.shape ?? []);
  const comment = `  # ${names.map((n, k) => `${n} ${shapeText(shapes[k])}`).join(', ')}`;
  const id = model.format.id;
  const lhs = names.join(', ');
  if (FULL_MODEL.has(id)) {
    // get_weights() is a list: unpacked, with a trailing comma for a single name.
    const all = layer.weights.length === names.length;
    const rhs = all
      ? `model.get_layer(${py(layer.name)}).get_weights()`
      : `[model.get_layer(${py(layer.name)}).get_weights()[i] for i in ${JSON.stringify(weightIdx)}]`;
    return `${lhs}${names.length === 1 ? ',' : ''} = ${rhs}${comment}`;
  }
  // One expression per name (a single name takes its array whole, not unpacked along its rows).
  const all = model.layers.flatMap((l) => l.weights);
  const expr = (i: number): string => {
    const w = layer.weights[i];
    if (id === 'json-weight-list') return `np.array(W[${all.indexOf(w)}])`; // [w.tolist() for w in model.get_weights()]: the position in the whole list
    if (id === 'rnn-inspector-json') {
      // "weights": {layer name: [its get_weights() list]}: the reader named each weight "<layer>/<i>".
      const cut = w.name.lastIndexOf('/');
      return `np.array(W["weights"][${py(w.name.slice(0, cut))}][${pyInt(Number(w.name.slice(cut + 1)), `the position of weight ${cm(w.name)}`)}])`;
    }
    if (id === 'json-notebook' || id === 'tfjs-layers') return `np.array(W[${py(w.name)}])`;
    return `read(${py(w.name)})`; // HDF5 weight files
  };
  return `${lhs} = ${weightIdx.map(expr).join(', ')}${comment}`;
}

function rnnStep(layer: Layer, cfg: Record<string, any>, v: (b: string) => string, dir = ''): { vars: string[]; body: string[] } {
  const Wx = v('Wx') + dir;
  const Wh = v('Wh') + dir;
  const bh = v('bh') + dir;
  const useBias = cfg.use_bias !== false;
  const b = useBias ? ` + ${bh}` : '';
  const a = act(cfg.activation, 'tanh');
  const ra = act(cfg.recurrent_activation, 'sigmoid');
  const seq = cfg.go_backwards ? 'seq[::-1]' : 'seq';
  const vars = useBias ? [Wx, Wh, bh] : [Wx, Wh];
  const M = `${Wh}.shape[0]`;
  const lines: string[] = [];
  if (gateCount(layer) === 4) {
    lines.push(
      `h = np.zeros(${M}); c = np.zeros(${M}); hs = []`,
      `for x_t in ${seq}:`,
      `    z = x_t.dot(${Wx}) + h.dot(${Wh})${b}                 # gates [i, f, c, o], each M wide`,
      `    i, f, g, o = np.split(z, 4)`,
      `    c = ${ra}(f) * c + ${ra}(i) * ${a}(g)`,
      `    h = ${ra}(o) * ${a}(c)`,
      `    hs.append(h)`,
    );
  } else if (gateCount(layer) === 3) {
    if (cfg.reset_after !== false && useBias) {
      lines.push(
        `h = np.zeros(${M}); hs = []`,
        `for x_t in ${seq}:`,
        `    xz, xr, xh = np.split(x_t.dot(${Wx}) + ${bh}[0], 3)  # gates [z, r, h]`,
        `    hz, hr, hh = np.split(h.dot(${Wh}) + ${bh}[1], 3)`,
        `    z = ${ra}(xz + hz); r = ${ra}(xr + hr)`,
        `    h = z * h + (1 - z) * ${a}(xh + r * hh)`,
        `    hs.append(h)`,
      );
    } else {
      lines.push(
        `h = np.zeros(${M}); hs = []`,
        `Uz, Ur, Uh = np.split(${Wh}, 3, axis=1)`,
        `for x_t in ${seq}:`,
        `    xz, xr, xh = np.split(x_t.dot(${Wx})${b}, 3)         # gates [z, r, h]`,
        `    z = ${ra}(xz + h.dot(Uz)); r = ${ra}(xr + h.dot(Ur))`,
        `    h = z * h + (1 - z) * ${a}(xh + (r * h).dot(Uh))`,
        `    hs.append(h)`,
      );
    }
  } else {
    lines.push(
      `h = np.zeros(${M}); hs = []                            # initial hidden state`,
      `for x_t in ${seq}:`,
      `    h = ${a}(x_t.dot(${Wx}) + h.dot(${Wh})${b})`,
      `    hs.append(h)`,
    );
  }
  return { vars, body: lines };
}

function emitLayer(model: Model, layer: Layer, v: (b: string, l: Layer) => string): Emitted | string {
  const name = (b: string): string => v(b, layer);
  const cfg = layer.config ?? {};
  const cls = layer.className;
  const how = replay(layer);
  if (how === 'skip' || how === 'masking') return '';
  if (how === 'rnn') {
    const { vars, body } = rnnStep(layer, cfg, name);
    // go_backwards: Keras returns the states in processing order (the reversed sequence).
    const ret = cfg.return_sequences ? 'seq = np.array(hs)' : 'seq = hs[-1]';
    return {
      vars,
      loads: [loadLine(model, layer, vars, vars.map((_, i) => i))],
      step: [`# ${cm(layer.name)} (${cm(cls)})`, ...body, `${ret}${cfg.return_sequences ? '' : '                                  # the last h_T'}`],
    };
  }
  if (how === 'bidirectional' && layer.inner?.length === 2) {
    const [fw, bw] = layer.inner;
    const fc = fw.config ?? {};
    // The backward copy always runs the other way from the forward one (whatever its stored config says).
    const bc = { ...(bw.config ?? {}), go_backwards: !(fc.go_backwards ?? false) };
    const f = rnnStep(fw, fc, name, '_f');
    const b = rnnStep(bw, bc, name, '_b');
    const nf = f.vars.length;
    const mode = cfg.merge_mode ?? 'concat';
    const merge = mode === 'sum' ? 'hf + hb' : mode === 'mul' ? 'hf * hb' : mode === 'ave' ? '(hf + hb) / 2' : 'np.concatenate([hf, hb], axis=-1)';
    // Keras returns the backward sequence re-reversed into time order; hs is in processing order.
    const pickLast = fc.return_sequences ? 'np.array(hs)' : 'hs[-1]';
    const pickLastB = fc.return_sequences ? 'np.array(hs[::-1])' : 'hs[-1]';
    return {
      vars: [...f.vars, ...b.vars],
      loads: [
        loadLine(model, layer, f.vars, f.vars.map((_, i) => i)),
        loadLine(model, layer, b.vars, b.vars.map((_, i) => i + nf)),
      ],
      step: [
        `# ${cm(layer.name)} (${cm(cls)} ${cm(fw.className)}, merge_mode=${cm(String(mode))})`,
        ...f.body,
        `hf = ${pickLast}`,
        ...b.body,
        `hb = ${pickLastB}`,
        `seq = ${merge}`,
      ],
    };
  }
  // A Dense, or a TimeDistributed(Dense): the wrapper replays its inner layer at every step.
  const dense = how !== 'dense' ? undefined : !getSpec(cls)?.wraps ? layer : layer.inner?.[0] && replay(layer.inner[0]) === 'dense' ? layer.inner[0] : undefined;
  if (dense) {
    const Wo = name('Wo');
    const bo = name('bo');
    const useBias = (dense.config ?? {}).use_bias !== false;
    const vars = useBias ? [Wo, bo] : [Wo];
    return {
      vars,
      loads: [loadLine(model, layer, vars, vars.map((_, i) => i))],
      step: [`# ${cm(layer.name)} (${cm(cls)})`, `seq = ${act(dense.config?.activation, 'linear')}(seq.dot(${Wo})${useBias ? ` + ${bo}` : ''})`],
    };
  }
  if (how === 'embedding') {
    const E = embeddingVar(layer);
    return { vars: [E], loads: [loadLine(model, layer, [E], [0])], step: [`# ${cm(layer.name)} (${cm(cls)})`, `seq = ${E}[seq.astype(int)]`] };
  }
  if (how === 'flatten') return { vars: [], loads: [], step: [`seq = seq.reshape(-1)  # ${cm(layer.name)} (${cm(cls)})`] };
  if (how === 'activation') return { vars: [], loads: [], step: [`seq = ${act(cfg.activation, 'linear')}(seq)  # ${cm(layer.name)}`] };
  if (how === 'repeat') return { vars: [], loads: [], step: [`seq = np.repeat(seq[None, :], ${pyInt(cfg.n, `the repeat count n of layer "${cm(layer.name)}" (${cm(cls)})`, 1)}, axis=0)  # ${cm(layer.name)} (${cm(cls)})`] };
  return `# ${cm(layer.name)} (${cm(cls)}) is not replayed here`;
}

/**
 * What the replication cannot write faithfully, in the user's words ("bn (BatchNormalization)"):
 * layers it does not replay, Masking, a graph that is not a chain. Empty when the code is complete;
 * the commands refuse (with this list) rather than hand out code that silently differs from Keras.
 */
export function replicationGaps(model: Model): string[] {
  const layers = model.layers.filter((l) => !l.implicit);
  const v = namer(model);
  const gaps = layers.filter((l) => typeof emitLayer(model, l, v) === 'string' && emitLayer(model, l, v) !== '').map((l) => `${l.name} (${l.className})`);
  for (const l of layers) if (replay(l) === 'masking') gaps.push(`${l.name} (${l.className}: masked time steps are not replayed)`);
  const consumers = new Map<string, number>();
  for (const l of layers) for (const call of l.inbound) for (const t of call) consumers.set(t.layer, (consumers.get(t.layer) ?? 0) + 1);
  if (layers.some((l) => l.inbound.some((call) => call.length > 1)) || [...consumers.values()].some((n) => n > 1)) gaps.push('a graph that is not a plain chain of layers');
  return gaps;
}

export function replicationPython(model: Model, o: ReplicationOptions): string {
  const { out, steps, skipped, id } = replicationHead(model, o);
  out.push('', '# The forward pass by hand, one sample at a time', 'Yhats = []', 'for x in X:', '    seq = x');
  for (const s of steps) out.push(s.startsWith('#') ? `    ${s}` : s.split('\n').map((l) => `    ${l}`).join('\n'));
  out.push('    Yhats.append(seq)', 'Yhats = np.array(Yhats)', 'print(Yhats)');
  if (o.expectedPath || FULL_MODEL.has(id)) out.push('print("max |Δ| =", np.abs(Yhats - Yhat).max())');
  if (skipped.length) out.push('', ...skipped);
  return out.join('\n') + '\n';
}

/**
 * The replication's first part, shared with the NumPy BPTT (bptt.ts): the file opened, the
 * activations, the weights loaded under the notebooks' names with their shapes printed, the
 * inputs X (and the expected predictions Yhat where there are some). `steps`: each layer's replay.
 */
export function replicationHead(model: Model, o: ReplicationOptions): { out: string[]; steps: string[]; skipped: string[]; id: string } {
  const path = model.source.path;
  const id = model.format.id;
  const v = namer(model);
  const layers = model.layers.filter((l) => !l.implicit);
  const emitted = layers.map((l) => emitLayer(model, l, v));
  const loads: string[] = [];
  const steps: string[] = [];
  const skipped: string[] = [];
  const vars: string[] = [];
  for (const e of emitted) {
    if (typeof e === 'string') {
      if (e) skipped.push(e);
      continue;
    }
    loads.push(...e.loads);
    steps.push(...e.step);
    vars.push(...e.vars);
  }
  const dims = o.perSample.map((d, i) => pyInt(d === null && i === 0 ? o.timesteps : d ?? 1, `input dimension ${i + 1}`, 0));
  const seed = pyInt(o.seed, 'the seed', 0);
  const samples = pyInt(o.samples, 'the number of samples N', 1);
  const out: string[] = [];
  // Line 1 fixes the source encoding, so no name in a later comment can be read as a coding cookie.
  out.push('# -*- coding: utf-8 -*-');
  out.push(`# NumPy replication of ${cm(path.split(/[\\/]/).pop() ?? '')} (generated by RNN Inspector)`);
  out.push('# N samples, T time steps, D input features, M hidden units, K outputs.');
  const consumers = new Map<string, number>();
  for (const l of layers) for (const call of l.inbound) for (const t of call) consumers.set(t.layer, (consumers.get(t.layer) ?? 0) + 1);
  const branching = layers.some((l) => l.inbound.some((call) => call.length > 1)) || [...consumers.values()].some((n) => n > 1);
  if (branching) out.push('# Note: this model is not a plain chain of layers; the loop below follows the layer order and needs adapting.');
  if (layers.some((l) => replay(l) === 'masking')) out.push('# Note: Masking is not replayed (masked time steps keep the previous state in Keras).');
  if (skipped.length) out.push('# Note: some layers are not replayed (listed at the end); the result will differ from Keras.');
  out.push('import math', 'import numpy as np');
  if (FULL_MODEL.has(id)) {
    out.push('import keras  # Keras 3; for tf.keras 2.x files: from tensorflow import keras', '');
    out.push(`model = keras.models.load_model(${py(path)}, compile=False)`, 'model.summary()');
  } else if (id === 'json-notebook' || id === 'json-weight-list' || id === 'rnn-inspector-json' || id === 'tfjs-layers') {
    out.push('import json', '', `with open(${py(path)}) as fh:`, '    W = json.load(fh)');
    if (id === 'tfjs-layers') out.push('# weights as named in the file; adapt the keys below to its layout');
  } else {
    out.push('import h5py', '', `f = h5py.File(${py(path)}, "r")`, '', 'def read(name):', '    """The dataset stored under this weight name."""');
    out.push('    hits = []', '    f.visititems(lambda p, o: hits.append(p) if isinstance(o, h5py.Dataset) and (p == name or p.endswith("/" + name) or p.endswith("/" + name.split(":")[0])) else None)');
    out.push('    return f[hits[0]][()]');
  }
  out.push(
    '',
    'def sigmoid(x): return 1 / (1 + np.exp(-x))',
    'ERF = np.vectorize(math.erf)',
    'ACT = {"tanh": np.tanh, "relu": lambda x: np.maximum(x, 0), "sigmoid": sigmoid, "linear": lambda x: x,',
    '       "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1), "softmax": lambda x: np.exp(x - x.max(-1, keepdims=True)) / np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True),',
    '       "elu": lambda x: np.where(x > 0, x, np.expm1(x)), "softplus": lambda x: np.log1p(np.exp(x)), "swish": lambda x: x * sigmoid(x),',
    '       "silu": lambda x: x * sigmoid(x), "gelu": lambda x: 0.5 * x * (1 + ERF(x / np.sqrt(2))),  # Keras 3: approximate=False',
    '       "softsign": lambda x: x / (1 + np.abs(x)), "exponential": np.exp, "relu6": lambda x: np.clip(x, 0, 6),',
    '       "hard_tanh": lambda x: np.clip(x, -1, 1), "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))}',
    '',
    '# The weights, named as in the notebooks',
    ...loads,
    ...(vars.length ? [`for name, w in [${vars.map((x) => `(${py(x)}, ${x})`).join(', ')}]:`, '    print(name, w.shape)'] : []),
    '',
  );
  if (o.inputsPath) out.push(`X = np.load(${py(o.inputsPath)})  # inputs (.npy; use np.load(...)[name] for .npz)`);
  else if (o.integerVocab) out.push(`np.random.seed(${seed})`, `X = np.random.randint(0, ${pyInt(o.integerVocab, 'the vocabulary size', 1)}, size=(${[samples, ...dims].join(', ')}))`);
  else out.push(`np.random.seed(${seed})`, `X = np.random.randn(${[samples, ...dims].join(', ')})  # (N, T, D)`);
  if (o.expectedPath) out.push(`Yhat = np.load(${py(o.expectedPath)})  # stored predictions`);
  else if (FULL_MODEL.has(id)) out.push('Yhat = model.predict(X)');
  return { out, steps, skipped, id };
}
