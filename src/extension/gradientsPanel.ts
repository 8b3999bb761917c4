/**
 * The panel's backward pass (host side, no vscode import): the forward section's inputs, targets
 * from its expected predictions or the model's own predictions plus seeded noise, then the core's
 * gradients(), one SGD step, and (asked for) the finite-difference check — turned into what the
 * panel draws: gradient heatmaps in the user's notation, ‖∂L/∂h_t‖, the BPTT equations.
 */
import { InspectorError, NumpyRandomState, forward, gradientCheck, gradientLabeller, gradients, sgdStep, type Model, type NDArray, type Summary } from '../core';
import type { GradientsRequest, GradientsView } from '../shared/messages';
import { resolveExpected, resolveInputs } from './sources';
import { matrixView } from './view';

/** The model's predictions plus N(0, σ²) noise (np.random.seed(1)), shaped as the loss wants them. */
function perturbedTargets(model: Model, inputs: NDArray[], req: GradientsRequest): NDArray[] {
  const rs = new NumpyRandomState(1);
  return forward(model, inputs, { engine: 'reference' }).outputs.map(({ array: y }) => {
    const noise = rs.randn(...y.shape).data;
    const z = y.data.map((v, i) => v + req.perturbation * noise[i]);
    const K = y.shape[y.shape.length - 1];
    if (req.loss === 'mse') return { shape: y.shape.slice(), data: z };
    if (req.loss === 'binary_crossentropy') return { shape: y.shape.slice(), data: z.map((v) => (v >= 0.5 ? 1 : 0)) };
    const ids = new Float64Array(z.length / K);
    for (let r = 0; r < ids.length; r++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (z[r * K + k] > z[r * K + best]) best = k;
      ids[r] = best;
    }
    if (req.loss === 'sparse_categorical_crossentropy') return { shape: y.shape.slice(0, -1), data: ids };
    const onehot = new Float64Array(z.length);
    ids.forEach((c, r) => (onehot[r * K + c] = 1));
    return { shape: y.shape.slice(), data: onehot };
  });
}

/** The BPTT equations of one recurrent layer, each with the shapes of its terms (G gate blocks of M). */
function bpttEquations(D: number, M: number, G: number): [string, string][] {
  const gm = G === 1 ? 'M' : `${G}M`;
  const a = G === 1 ? 'a_t = x_t·Wx + h_{t−1}·Wh + bh' : G === 4 ? 'a_t = [i f c̃ o] pre-activations' : 'a_t = [z r h̃] pre-activations';
  return [
    [`${a}`, `(N×${gm})`],
    ['∂L/∂h_t = ∂L/∂y_t + ∂L/∂h_{t+1}·(∂h_{t+1}/∂h_t)', `(N×M) = (N×M) + (N×${gm})·(${gm}×M)`],
    [G === 1 ? 'δ_t = ∂L/∂h_t ⊙ f′(a_t)' : 'δ_t = ∂L/∂a_t (through the gates)', `(N×${gm}), ${gm} = ${G * M}`],
    ['∂L/∂Wx = Σ_t x_tᵀ·δ_t', `(D×N)·(N×${gm}) → ${D}×${G * M}`],
    ['∂L/∂Wh = Σ_t h_{t−1}ᵀ·δ_t', `(M×N)·(N×${gm}) → ${M}×${G * M}`],
    ['∂L/∂bh = Σ_t Σ_n δ_t', `(${G * M})`],
    ['∂L/∂x_t = δ_t·Wxᵀ', `(N×${gm})·(${gm}×D) → N×${D}`],
  ];
}

export async function panelGradients(model: Model, summary: Summary, req: GradientsRequest): Promise<GradientsView> {
  const t0 = Date.now();
  const inputs = await resolveInputs(model, req.run);
  let targets: NDArray[];
  let targetsLabel: string;
  const expected = req.target === 'expected' ? await resolveExpected(model, req.run) : undefined;
  if (req.target === 'expected') {
    if (!expected) throw new InspectorError(model.source.path, 'no expected predictions chosen: pick them in the forward-pass section, or use the predictions plus a perturbation');
    targets = expected.arrays;
    targetsLabel = expected.label;
  } else {
    targets = perturbedTargets(model, inputs.arrays, req);
    targetsLabel = `the model's predictions + ${req.perturbation}·np.random.randn (seed 1)${req.loss === 'mse' ? '' : ', as classes'}`;
  }
  const opts = { loss: req.loss };
  const g = gradients(model, inputs.arrays, targets, opts);
  const step = sgdStep(model, inputs.arrays, targets, req.learningRate, opts, g);
  const check = req.check ? gradientCheck(model, inputs.arrays, targets, { ...opts, sample: 400 }, g) : undefined;
  const label = gradientLabeller(summary);
  const weights = g.gradients.map((w) => {
    const l = label(w.path);
    const shape = w.shape.length ? w.shape : [1];
    const cols = shape[shape.length - 1];
    const rows = w.data.length / cols;
    const [rl, cl] = l.notation.split('×');
    let sq = 0;
    for (const v of w.data) sq += v * v;
    return {
      path: w.path,
      symbol: l.symbol,
      notation: l.notation,
      shape: w.shape,
      norm: Math.sqrt(sq),
      matrix: matrixView(w.data, rows, cols, shape.length === 1 ? '' : (rl ?? 'rows'), cl ?? rl ?? 'columns', l.blocks && l.blocks.length > 1 ? l.blocks.map((b) => b.columns) : undefined),
      ...(l.blocks ? { blocks: l.blocks } : {}),
    };
  });
  const equations: GradientsView['equations'] = [];
  for (const w of g.gradients) {
    if (!w.path.endsWith('/kernel') || !w.path.split('/').slice(-2, -1)[0].endsWith('_cell')) continue;
    const rec = g.gradients.find((x) => x.path === w.path.replace(/kernel$/, 'recurrent_kernel'));
    if (!rec) continue;
    const [D, GM] = w.shape;
    const M = rec.shape[0];
    equations.push({ layer: w.path.split('/').slice(0, -2).join('/'), lines: bpttEquations(D, M, GM / M) });
  }
  return {
    loss: req.loss,
    value: g.value,
    inputsLabel: inputs.label,
    targetsLabel,
    learningRate: req.learningRate,
    lossAfter: step.lossAfter,
    weights,
    hidden: g.hiddenGradNorms.map((h) => ({ layer: h.layer, ...(h.direction ? { direction: h.direction } : {}), norms: Array.from(h.norms) })),
    equations,
    ...(check
      ? {
          check: {
            checked: check.checked,
            total: check.total,
            maxRelError: check.maxRelError,
            worst: check.worst ? `${check.worst.path}[${check.worst.index}]` : '',
            pass: check.maxRelError <= 1e-6,
          },
        }
      : {}),
    elapsedMs: Date.now() - t0,
  };
}
