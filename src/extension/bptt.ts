/**
 * Copy NumPy BPTT: the backward pass of this model written out in NumPy, the way the seed notebook
 * trains its RNN by hand — a forward pass over the batch that keeps every step (the tape), the loss,
 * then `for t in reversed(range(T))` accumulating dWx += x_tᵀ·δ_t, dWh += h_{t-1}ᵀ·δ_t and passing
 * δ back through Wh, layer by layer from the output to the input; then a central-difference check
 * of the gradients. Shares the file loading, weight names and inputs with the replication
 * (replication.ts). Which layers it can write is read from the layer registry (LayerSpec.numpy), so
 * no Keras class is named here. No vscode import.
 */
import type { Layer, Model } from '../core';
import type { LossName } from '../core/losses';
import { cm, embeddingVar, gateCount, namer, py, replay, replicationGaps, replicationHead, type ReplicationOptions } from './replication';

export interface BpttOptions extends ReplicationOptions {
  loss: LossName;
  /** Targets (.npy) to load; otherwise the predictions nudged (mse) or random classes. */
  targetsPath?: string;
}

/** Activations whose derivative the script writes (from the pre-activation z and the output a). */
const DACT: Record<string, string> = {
  linear: 'lambda z, a: np.ones_like(z)',
  tanh: 'lambda z, a: 1 - a ** 2',
  sigmoid: 'lambda z, a: a * (1 - a)',
  relu: 'lambda z, a: (z > 0) * 1.0',
  hard_sigmoid: 'lambda z, a: ((z > -3) & (z < 3)) / 6',
  elu: 'lambda z, a: np.where(z > 0, 1.0, a + 1)',
  softplus: 'lambda z, a: sigmoid(z)',
  swish: 'lambda z, a: sigmoid(z) * (1 + z * (1 - sigmoid(z)))',
  silu: 'lambda z, a: sigmoid(z) * (1 + z * (1 - sigmoid(z)))',
  softsign: 'lambda z, a: 1 / (1 + np.abs(z)) ** 2',
  exponential: 'lambda z, a: a',
  relu6: 'lambda z, a: ((z > 0) & (z < 6)) * 1.0',
  hard_tanh: 'lambda z, a: (np.abs(z) < 1) * 1.0',
  selu: 'lambda z, a: np.where(z > 0, 1.0507009873554805, a + 1.0507009873554805 * 1.6732632423543772)',
  gelu: 'lambda z, a: 0.5 * (1 + ERF(z / np.sqrt(2))) + z * np.exp(-z ** 2 / 2) / np.sqrt(2 * np.pi)',
};

const actName = (v: unknown, fallback: string): string => (v === undefined || v === null ? fallback : typeof v === 'string' ? v : '?');
const known = (a: string): boolean => Object.hasOwn(DACT, a) || a === 'softmax';

interface Part {
  fwd: string[];
  bwd: string[];
  /** Weight variables, in get_weights() order. */
  vars: string[];
}

/** dz from dseq through an activation (softmax: the Jacobian-vector product over the last axis). */
function throughAct(a: string, z: string, out: string): string {
  return a === 'softmax' ? `${out} * (dseq - (dseq * ${out}).sum(-1, keepdims=True))` : `dseq * DACT[${py(a)}](${z}, ${out})`;
}

function recurrent(layer: Layer, v: (b: string) => string): Part | string {
  const cfg = layer.config ?? {};
  const a = actName(cfg.activation, 'tanh');
  const ra = actName(cfg.recurrent_activation, 'sigmoid');
  const G = Math.max(1, gateCount(layer)); // SimpleRNN lists no gates
  for (const x of G > 1 ? [a, ra] : [a]) if (!Object.hasOwn(DACT, x)) return `activation ${x}`;
  if (cfg.return_state || cfg.time_major || cfg.stateful) return 'return_state / time_major / stateful';
  const [Wx, Wh, bh] = [v('Wx'), v('Wh'), v('bh')];
  const bias = cfg.use_bias !== false;
  const vars = bias ? [Wx, Wh, bh] : [Wx, Wh];
  const seq = !!cfg.return_sequences;
  const xs = cfg.go_backwards ? 'seq[:, ::-1]' : 'seq';
  const A = `ACT[${py(a)}]`;
  const RA = `ACT[${py(ra)}]`;
  const dA = `DACT[${py(a)}]`;
  const dRA = `DACT[${py(ra)}]`;
  const fwd: string[] = [`xs = ${xs}`, `hs, cs, zs = [np.zeros((xs.shape[0], ${Wh}.shape[0]))], [np.zeros((xs.shape[0], ${Wh}.shape[0]))], []`];
  const bwd: string[] = [
    'xs, hs, cs, zs = tape.pop()',
    `dxs = np.zeros_like(xs)`,
    ...vars.map((w) => `g[${py(w)}] = np.zeros_like(${w})`),
    seq ? 'dh, dc = np.zeros_like(hs[0]), np.zeros_like(hs[0])' : 'dh, dc = dseq, np.zeros_like(hs[0])',
    'for t in reversed(range(xs.shape[1])):',
  ];
  const b = bias ? ` + ${bh}` : '';
  const step: string[] = seq ? ['    dh = dh + dseq[:, t]'] : [];
  if (G === 1) {
    fwd.push('for t in range(xs.shape[1]):', `    zs.append(xs[:, t] @ ${Wx} + hs[-1] @ ${Wh}${b})`, `    hs.append(${A}(zs[-1]))`);
    step.push(`    dz = dh * ${dA}(zs[t], hs[t + 1])            # δ_t`, `    dx, dhh = dz, dz`);
  } else if (G === 4) {
    fwd.push(
      'for t in range(xs.shape[1]):',
      `    z = xs[:, t] @ ${Wx} + hs[-1] @ ${Wh}${b}        # gates [i, f, c, o]`,
      `    zi, zf, zg, zo = np.split(z, 4, axis=1)`,
      `    cs.append(${RA}(zf) * cs[-1] + ${RA}(zi) * ${A}(zg))`,
      `    hs.append(${RA}(zo) * ${A}(cs[-1]))`,
      '    zs.append(z)',
    );
    step.push(
      '    zi, zf, zg, zo = np.split(zs[t], 4, axis=1)',
      `    i, f, gg, o, ac = ${RA}(zi), ${RA}(zf), ${A}(zg), ${RA}(zo), ${A}(cs[t + 1])`,
      `    dc = dc + dh * o * ${dA}(cs[t + 1], ac)`,
      `    dz = np.concatenate([dc * gg * ${dRA}(zi, i), dc * cs[t] * ${dRA}(zf, f), dc * i * ${dA}(zg, gg), dh * ac * ${dRA}(zo, o)], axis=1)`,
      '    dc = dc * f',
      '    dx, dhh = dz, dz',
    );
  } else if (cfg.reset_after !== false) {
    // reset_after (Keras 2.x/3 default): r multiplies h_{t-1}·Wh_h (+ its recurrent bias).
    const [bi, br] = bias ? [` + ${bh}[0]`, ` + ${bh}[1]`] : ['', ''];
    fwd.push(
      'for t in range(xs.shape[1]):',
      `    xz, xr, xh = np.split(xs[:, t] @ ${Wx}${bi}, 3, axis=1)   # gates [z, r, h]`,
      `    hz, hr, hh = np.split(hs[-1] @ ${Wh}${br}, 3, axis=1)`,
      `    z, r = ${RA}(xz + hz), ${RA}(xr + hr)`,
      `    hs.append(z * hs[-1] + (1 - z) * ${A}(xh + r * hh))`,
      '    zs.append((xz + hz, xr + hr, xh + r * hh, hh))',
    );
    step.push(
      '    pz, pr, ph, hh = zs[t]',
      `    z, r, hc = ${RA}(pz), ${RA}(pr), ${A}(ph)`,
      `    dph = dh * (1 - z) * ${dA}(ph, hc)`,
      `    dpz, dpr = dh * (hs[t] - hc) * ${dRA}(pz, z), dph * hh * ${dRA}(pr, r)`,
      '    dx, dhh = np.concatenate([dpz, dpr, dph], axis=1), np.concatenate([dpz, dpr, dph * r], axis=1)',
      '    dh = dh * z                                      # the direct path z ⊙ h_{t-1}',
    );
  } else {
    const M = `${Wh}.shape[0]`;
    fwd.push(
      'for t in range(xs.shape[1]):',
      `    xz, xr, xh = np.split(xs[:, t] @ ${Wx}${b}, 3, axis=1)     # gates [z, r, h]`,
      `    z = ${RA}(xz + hs[-1] @ ${Wh}[:, :${M}]); r = ${RA}(xr + hs[-1] @ ${Wh}[:, ${M}:2 * ${M}])`,
      `    ph = xh + (r * hs[-1]) @ ${Wh}[:, 2 * ${M}:]`,
      `    hs.append(z * hs[-1] + (1 - z) * ${A}(ph))`,
      `    zs.append((xz + hs[-2] @ ${Wh}[:, :${M}], xr + hs[-2] @ ${Wh}[:, ${M}:2 * ${M}], ph))`,
    );
    step.push(
      '    pz, pr, ph = zs[t]',
      `    z, r, hc = ${RA}(pz), ${RA}(pr), ${A}(ph)`,
      `    dph = dh * (1 - z) * ${dA}(ph, hc)`,
      `    drh = dph @ ${Wh}[:, 2 * ${M}:].T                    # dL/d(r ⊙ h_{t-1})`,
      `    dpz, dpr = dh * (hs[t] - hc) * ${dRA}(pz, z), drh * hs[t] * ${dRA}(pr, r)`,
      '    dx = np.concatenate([dpz, dpr, dph], axis=1)',
      `    g[${py(Wh)}][:, 2 * ${M}:] += (r * hs[t]).T @ dph`,
      `    dhh = np.concatenate([dpz, dpr, np.zeros_like(dph)], axis=1)`,
      '    dh = dh * z + drh * r',
    );
  }
  fwd.push(`tape.append((xs, hs, cs, zs))`, seq ? 'seq = np.stack(hs[1:], axis=1)                  # (N, T, M)' : 'seq = hs[-1]                                     # h_T, (N, M)');
  step.push(`    g[${py(Wx)}] += xs[:, t].T @ dx`, `    g[${py(Wh)}] += hs[t].T @ dhh`);
  if (bias) step.push(G === 3 && cfg.reset_after !== false ? `    g[${py(bh)}] += np.stack([dx.sum(0), dhh.sum(0)])` : `    g[${py(bh)}] += dx.sum(0)`);
  // GRU: dh already holds the paths that skip Wh (z ⊙ h_{t-1}, and r ⊙ h_{t-1} for reset_before).
  step.push(`    dxs[:, t] = dx @ ${Wx}.T`, G === 3 ? `    dh = dh + dhh @ ${Wh}.T` : `    dh = dhh @ ${Wh}.T`);
  bwd.push(...step, cfg.go_backwards ? 'dseq = dxs[:, ::-1]' : 'dseq = dxs');
  return { fwd, bwd, vars };
}

function part(model: Model, layer: Layer, v: (b: string, l: Layer) => string): Part | string | null {
  const how = replay(layer);
  const cfg = layer.config ?? {};
  const name = (b: string): string => v(b, layer);
  if (how === 'skip') return null;
  if (how === 'rnn') return recurrent(layer, name);
  if (how === 'bidirectional') {
    const [fw, bw] = layer.inner ?? [];
    const mode = cfg.merge_mode === undefined ? 'concat' : cfg.merge_mode;
    if (!fw || !bw || !['concat', 'sum', 'ave', 'mul'].includes(mode)) return `merge_mode ${String(mode)}`;
    // The backward copy always runs the other way from the forward one (as in the replication).
    const back = { ...bw, config: { ...(bw.config ?? {}), go_backwards: !(fw.config?.go_backwards ?? false) } };
    const f = recurrent(fw, (b) => `${name(b)}_f`);
    const r = recurrent(back, (b) => `${name(b)}_b`);
    if (typeof f === 'string') return f;
    if (typeof r === 'string') return r;
    const seqOut = !!fw.config?.return_sequences;
    const M = `${name('Wh')}_f.shape[0]`;
    const merge = { concat: 'np.concatenate([hf, hb], axis=-1)', sum: 'hf + hb', ave: '(hf + hb) / 2', mul: 'hf * hb' }[mode as 'concat'];
    const split = {
      concat: `dseq[..., :${M}], dseq[..., ${M}:]`,
      sum: 'dseq, dseq',
      ave: 'dseq / 2, dseq / 2',
      mul: 'dseq * hb, dseq * hf',
    }[mode as 'concat'];
    return {
      vars: [...f.vars, ...r.vars],
      fwd: [
        'seq_in = seq',
        '# the forward direction',
        ...f.fwd,
        'hf, seq = seq, seq_in',
        '# the backward direction (Keras returns its sequence re-reversed into time order)',
        ...r.fwd,
        `hb = ${seqOut ? 'seq[:, ::-1]' : 'seq'}`,
        'tape.append((hf, hb))',
        `seq = ${merge}                 # merge_mode=${mode}`,
      ],
      bwd: [
        'hf, hb = tape.pop()',
        `dhf, dhb = ${split}`,
        `dseq = ${seqOut ? 'dhb[:, ::-1]' : 'dhb'}`,
        '# the backward direction',
        ...r.bwd,
        'dx_b, dseq = dseq, dhf',
        '# the forward direction',
        ...f.bwd,
        'dseq = dseq + dx_b',
      ],
    };
  }
  if (how === 'dense') {
    const dense = layer.inner?.length ? layer.inner[0] : layer;
    if (replay(dense) !== 'dense') return 'a wrapped layer other than Dense';
    const dc = dense.config ?? {};
    const a = actName(dc.activation, 'linear');
    if (!known(a)) return `activation ${a}`;
    const [Wo, bo] = [name('Wo'), name('bo')];
    const bias = dc.use_bias !== false;
    const vars = bias ? [Wo, bo] : [Wo];
    return {
      vars,
      fwd: [`z = seq @ ${Wo}${bias ? ` + ${bo}` : ''}`, `tape.append((seq, z, ACT[${py(a)}](z)))`, 'seq = tape[-1][2]'],
      bwd: [
        'x, z, out = tape.pop()',
        `dz = ${throughAct(a, 'z', 'out')}`,
        'dz2 = dz.reshape(-1, dz.shape[-1])',
        `g[${py(Wo)}] = x.reshape(-1, x.shape[-1]).T @ dz2`,
        ...(bias ? [`g[${py(bo)}] = dz2.sum(0)`] : []),
        `dseq = dz @ ${Wo}.T`,
      ],
    };
  }
  if (how === 'embedding') {
    if (cfg.mask_zero) return 'mask_zero (masked time steps are not replayed)';
    const E = embeddingVar(layer);
    return {
      vars: [E],
      fwd: ['ids = seq.astype(int)', 'tape.append(ids)', `seq = ${E}[ids]`],
      bwd: ['ids = tape.pop()', `g[${py(E)}] = np.zeros_like(${E})`, `np.add.at(g[${py(E)}], ids, dseq)   # each looked-up row gets its gradient`, 'dseq = None'],
    };
  }
  if (how === 'flatten') return { vars: [], fwd: ['tape.append(seq.shape)', 'seq = seq.reshape(seq.shape[0], -1)'], bwd: ['dseq = dseq.reshape(tape.pop())'] };
  if (how === 'activation') {
    const a = actName(cfg.activation, 'linear');
    if (!known(a)) return `activation ${a}`;
    return { vars: [], fwd: [`tape.append((seq, ACT[${py(a)}](seq)))`, 'seq = tape[-1][1]'], bwd: ['z, out = tape.pop()', `dseq = ${throughAct(a, 'z', 'out')}`] };
  }
  if (how === 'repeat') {
    const n = cfg.n;
    if (!Number.isInteger(n) || n < 1) return 'RepeatVector n that is not a positive integer';
    return { vars: [], fwd: [`seq = np.repeat(seq[:, None, :], ${n}, axis=1)`], bwd: ['dseq = dseq.sum(axis=1)'] };
  }
  if (how === 'masking') return 'Masking (masked time steps are not replayed)';
  return 'no backward step written for it';
}

function parts(model: Model): { list: { layer: Layer; p: Part }[]; gaps: string[] } {
  const v = namer(model);
  const gaps = replicationGaps(model);
  const list: { layer: Layer; p: Part }[] = [];
  for (const layer of model.layers.filter((l) => !l.implicit)) {
    const p = part(model, layer, v);
    if (typeof p === 'string') gaps.push(`${layer.name} (${layer.className}: ${p})`);
    else if (p) list.push({ layer, p });
  }
  if (!list.some((x) => x.p.vars.length)) gaps.push('no trainable weights');
  return { list, gaps: [...new Set(gaps)] };
}

/** What the NumPy BPTT cannot write faithfully, in the user's words; empty when it is complete. */
export function bpttGaps(model: Model): string[] {
  return parts(model).gaps;
}

const LOSS_PY: Record<LossName, string[]> = {
  mse: ['def loss_and_grad(Y, Yt):', '    """Mean squared error over every element (keras.losses.MeanSquaredError) and dL/dY."""', '    d = Y - Yt', '    return np.mean(d ** 2), 2 * d / d.size'],
  categorical_crossentropy: [
    'def loss_and_grad(Y, Yt):',
    '    """Categorical cross-entropy of probabilities, averaged over samples (and steps); Keras also clips Y to [1e-7, 1 - 1e-7]."""',
    '    rows = Y.size // Y.shape[-1]',
    '    return -np.sum(Yt * np.log(Y)) / rows, -Yt / Y / rows',
  ],
  sparse_categorical_crossentropy: [
    'def loss_and_grad(Y, Yt):',
    '    """Sparse categorical cross-entropy: integer targets, one-hot here; Keras also clips Y to [1e-7, 1 - 1e-7]."""',
    '    Yt = np.eye(Y.shape[-1])[np.asarray(Yt).astype(int).reshape(Y.shape[:-1])]',
    '    rows = Y.size // Y.shape[-1]',
    '    return -np.sum(Yt * np.log(Y)) / rows, -Yt / Y / rows',
  ],
  binary_crossentropy: [
    'def loss_and_grad(Y, Yt):',
    '    """Binary cross-entropy averaged over every element; Keras also clips Y to [1e-7, 1 - 1e-7]."""',
    '    return np.mean(-(Yt * np.log(Y) + (1 - Yt) * np.log(1 - Y))), (-(Yt / Y) + (1 - Yt) / (1 - Y)) / Y.size',
  ],
};

/**
 * The BPTT part alone: assumes the weights are loaded under the replication's names and X defined
 * (the notebook export appends it to the replication). Throws when bpttGaps(model) is not empty.
 */
export function bpttBody(model: Model, o: BpttOptions): string {
  const { list, gaps } = parts(model);
  if (gaps.length) throw new Error(`the NumPy BPTT cannot write ${gaps.join(', ')} yet`);
  const vars = list.flatMap((x) => x.p.vars);
  const ind = (ls: string[]): string[] => ls.map((l) => `    ${l}`);
  const out: string[] = [
    '# The backward pass by hand: backpropagation through time',
    '# Every weight in float64, so that the finite-difference check below is meaningful.',
    `${vars.join(', ')}${vars.length === 1 ? ',' : ''} = (np.asarray(w, dtype=np.float64) for w in (${vars.join(', ')}${vars.length === 1 ? ',' : ''}))`,
    `WEIGHTS = lambda: [${vars.map((x) => `(${py(x)}, ${x})`).join(', ')}]`,
    'DACT = {  # derivatives of the activations, from their input z and output a',
    ...Object.entries(DACT).map(([k, f]) => `    ${py(k)}: ${f},`),
    '}',
    '',
    'def forward(X):',
    '    """The forward pass over the whole batch, keeping every step for the backward pass (the tape)."""',
    '    tape, seq = [], X',
  ];
  for (const { layer, p } of list) out.push(`    # ${cm(layer.name)} (${cm(layer.className)})`, ...ind(p.fwd));
  out.push('    return seq, tape', '', ...LOSS_PY[o.loss], '', 'def backward(dY, tape):', '    """dL/dw for every weight: from the output back to the input, and in each recurrent layer from t = T-1 down to 0."""', '    g, dseq = {}, dY');
  for (const { layer, p } of [...list].reverse()) out.push(`    # ${cm(layer.name)} (${cm(layer.className)})`, ...ind(p.bwd));
  out.push('    return g', '');
  out.push('Y, tape = forward(X)');
  if (o.targetsPath) out.push(`Yt = np.load(${py(o.targetsPath)})  # the targets`);
  else if (o.loss === 'mse') out.push('Yt = Y + 0.1 * np.random.RandomState(1).randn(*Y.shape)  # targets: the predictions nudged; load your own with np.load');
  else if (o.loss === 'binary_crossentropy') out.push('Yt = (np.random.RandomState(1).rand(*Y.shape) > 0.5) * 1.0  # random 0/1 targets; load your own with np.load');
  else if (o.loss === 'sparse_categorical_crossentropy') out.push('Yt = np.random.RandomState(1).randint(0, Y.shape[-1], size=Y.shape[:-1])  # random classes; load your own with np.load');
  else out.push('Yt = np.eye(Y.shape[-1])[np.random.RandomState(1).randint(0, Y.shape[-1], size=Y.shape[:-1])]  # random one-hot targets; load your own with np.load');
  out.push(
    'L, dY = loss_and_grad(Y, Yt)',
    'grads = backward(dY, tape)',
    `print(${py(`loss (${o.loss}) =`)}, L)`,
    'for name, w in WEIGHTS():',
    '    print("d" + name, grads[name].shape, "‖·‖ =", np.linalg.norm(grads[name]))',
    '',
    '# Gradient check: central finite differences on up to 20 entries of every weight',
    'def loss_now():',
    '    return loss_and_grad(forward(X)[0], Yt)[0]',
    'rng, eps, worst = np.random.RandomState(0), 1e-5, 0.0',
    'for name, w in WEIGHTS():',
    '    for k in (range(w.size) if w.size <= 20 else rng.choice(w.size, 20, replace=False)):',
    '        i = np.unravel_index(k, w.shape); old = w[i]',
    '        w[i] = old + eps; lp = loss_now(); w[i] = old - eps; lm = loss_now(); w[i] = old',
    '        num, ana = (lp - lm) / (2 * eps), grads[name][i]',
    '        worst = max(worst, abs(num - ana) / max(abs(num), abs(ana), 1e-8))',
    'print("gradient check: max relative error =", worst)',
    '',
    '# One SGD step, w ← w − η·∂L/∂w, and the loss after it',
    'eta = 0.01',
    'for name, w in WEIGHTS():',
    '    w -= eta * grads[name]',
    'print("loss after one SGD step (η = 0.01) =", loss_now())',
  );
  return out.join('\n') + '\n';
}

/** The standalone script: the replication's loading and inputs, then the BPTT. */
export function bpttPython(model: Model, o: BpttOptions): string {
  const { out } = replicationHead(model, o);
  out[0] = `# NumPy backpropagation through time for ${cm(model.source.path.split(/[\\/]/).pop() ?? '')} (generated by RNN Inspector)`;
  return `${out.join('\n')}\n\n${bpttBody(model, o)}`;
}
