/**
 * The backward-pass section ("Gradients"): the loss, one SGD step, ‖∂L/∂h_t‖ per recurrent layer
 * on a log scale (vanishing / exploding gradients), the BPTT equations with the shape under each
 * term, and a heatmap of every gradient in the user's notation (dL/dWx …). Inputs and expected
 * predictions are the forward section's choice; the host computes (src/extension/gradientsPanel.ts).
 */
import type { GradientsRequest, GradientsView, HostToWebview, ModelView, PanelLoss } from '../shared/messages';
import { fmtNum } from '../shared/format';
import { button, h, icon } from './dom';
import { heatmap, splitByGate } from './heatmap';
import { currentRequest } from './forward';
import { host, post } from './state';
import { registerSection } from './sections';

const LOSSES: [PanelLoss, string][] = [
  ['mse', 'mean squared error'],
  ['categorical_crossentropy', 'categorical cross-entropy (one-hot)'],
  ['binary_crossentropy', 'binary cross-entropy'],
  ['sparse_categorical_crossentropy', 'sparse categorical cross-entropy (class ids)'],
];

function field(label: string, input: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

/** ‖∂L/∂h_t‖ for t = 1…T as bars on a log scale (canvas; theme colours). */
function normsChart(norms: number[], label: string): HTMLElement {
  const W = Math.max(120, Math.min(640, norms.length * 24));
  const H = 90;
  const c = h('canvas', { class: 'grad-norms', role: 'img', 'aria-label': `${label}: ‖∂L/∂h_t‖ for t = 1 … ${norms.length}, log scale` });
  const dpr = window.devicePixelRatio || 1;
  c.width = Math.ceil(W * dpr);
  c.height = Math.ceil(H * dpr);
  c.style.width = `${W}px`;
  c.style.height = `${H}px`;
  const ctx = c.getContext('2d');
  const pos = norms.filter((v) => v > 0);
  if (ctx && pos.length) {
    ctx.scale(dpr, dpr);
    const lo = Math.floor(Math.log10(Math.min(...pos)));
    const hi = Math.ceil(Math.log10(Math.max(...pos)) + 1e-9);
    const span = Math.max(1, hi - lo);
    const cs = getComputedStyle(document.body);
    ctx.fillStyle = cs.getPropertyValue('--vscode-charts-blue').trim() || '#3794ff';
    const bw = W / norms.length;
    norms.forEach((v, t) => {
      const y = v > 0 ? ((Math.log10(v) - lo) / span) * (H - 4) : 0;
      ctx.fillRect(t * bw + 2, H - y, Math.max(1, bw - 4), y);
    });
  }
  const text = norms.map((v, t) => `t=${t + 1}: ${fmtNum(v)}`).join('  ');
  return h('div', { class: 'figure' }, h('h4', {}, `${label} — ‖∂L/∂h_t‖, t = 1 … ${norms.length} (log scale)`), c, h('p', { class: 'muted small' }, text));
}

function resultView(r: GradientsView): HTMLElement {
  const down = r.lossAfter < r.value;
  const parts: (HTMLElement | string)[] = [
    h(
      'p',
      { class: 'verdict', id: 'grad-loss' },
      icon(down ? 'arrow-down' : 'arrow-up'),
      ` Loss (${r.loss}) = ${fmtNum(r.value)}; after one SGD step w ← w − η·∂L/∂w with η = ${r.learningRate}: ${fmtNum(r.lossAfter)}`,
    ),
    h('p', { class: 'muted small' }, `Inputs: ${r.inputsLabel}. Targets: ${r.targetsLabel}. ${r.elapsedMs} ms.`),
  ];
  if (r.check) {
    parts.push(
      h(
        'p',
        { class: r.check.pass ? 'pass' : 'fail', id: 'grad-check' },
        icon(r.check.pass ? 'pass' : 'error'),
        ` Gradient check (central finite differences, ${r.check.checked} of ${r.check.total} elements): max relative error ${r.check.maxRelError.toExponential(2)}${r.check.worst ? ` at ${r.check.worst}` : ''} ${r.check.pass ? '≤' : '>'} 1e-6`,
      ),
    );
  }
  for (const n of r.hidden) parts.push(normsChart(n.norms, `${n.layer}${n.direction ? ` (${n.direction})` : ''}`));
  for (const e of r.equations) {
    parts.push(
      h('h4', {}, `BPTT for ${e.layer}`),
      h('table', { class: 'equations' }, h('tbody', {}, ...e.lines.map(([eq, shapes]) => h('tr', {}, h('td', { class: 'mono' }, eq), h('td', { class: 'muted mono' }, shapes))))),
    );
  }
  for (const w of r.weights) {
    const title = `${w.symbol}  ${w.shape.join('×') || 'scalar'}${w.notation ? ` (${w.notation})` : ''}  ‖·‖ = ${fmtNum(w.norm)}`;
    const maps = w.blocks && w.matrix.cols === w.matrix.fullCols
      ? h('div', { class: 'gate-maps' }, ...splitByGate(w.matrix, w.blocks).map((g) => h('div', { class: 'gate-map' }, h('div', { class: 'gate-title' }, `gate ${g.gate}`), heatmap(g.matrix, { symbol: `${w.symbol}[${g.gate}]`, maxWidth: 260 }))))
      : heatmap(w.matrix, { symbol: w.symbol });
    parts.push(h('div', { class: 'figure grad-weight' }, h('h4', {}, title, h('span', { class: 'muted small' }, `  ${w.path}`)), maps));
  }
  return h('div', {}, ...parts);
}

export function gradientsSection(m: ModelView): HTMLElement {
  const sec = h('section', { class: 'forward gradients', 'aria-labelledby': 'grad-h' }, h('h2', { id: 'grad-h' }, 'Gradients ', h('span', { class: 'muted small' }, 'the backward pass by hand (backpropagation through time)')));
  if (!m.forwardSupported) {
    sec.append(h('p', { class: 'notes warn' }, icon('warning'), ' The forward pass cannot run on this model, so neither can the backward pass.'));
    return sec;
  }
  const loss = h('select', { id: 'grad-loss-name', 'aria-label': 'Loss' });
  for (const [v, label] of LOSSES) loss.append(h('option', { value: v }, `${v} — ${label}`));
  const target = h('select', { id: 'grad-target', 'aria-label': 'Targets' });
  target.append(h('option', { value: 'perturbed' }, "the model's predictions + noise"), h('option', { value: 'expected' }, 'the expected predictions (forward section)'));
  const sigma = h('input', { id: 'grad-sigma', type: 'number', step: 'any', min: '0', value: '0.5', 'aria-label': 'Noise σ' });
  const eta = h('input', { id: 'grad-eta', type: 'number', step: 'any', min: '0', value: '0.1', 'aria-label': 'Learning rate η' });
  const check = h('input', { id: 'grad-check-box', type: 'checkbox', checked: true, 'aria-label': 'Gradient check' });
  const out = h('div', { id: 'grad-result', 'aria-live': 'polite' });
  const status = h('p', { class: 'muted', id: 'grad-status' });
  const go = button('Compute Gradients', 'debug-step-back', () => {
    const run = currentRequest();
    if (!run) return;
    const request: GradientsRequest = {
      run,
      loss: loss.value as PanelLoss,
      target: target.value as 'expected' | 'perturbed',
      perturbation: Number(sigma.value) || 0,
      learningRate: Number(eta.value) || 0,
      check: check.checked,
    };
    status.replaceChildren(icon('loading codicon-modifier-spin'), ' Computing the backward pass…');
    go.disabled = true;
    void host
      .request<Extract<HostToWebview, { type: 'gradientsResult' }>>({ type: 'gradients', request })
      .then((r) => {
        status.replaceChildren(r.result ? '' : h('span', { class: 'fail' }, icon('error'), ` ${r.error ?? 'failed'}`));
        out.replaceChildren(r.result ? resultView(r.result) : '');
      })
      .finally(() => (go.disabled = false));
  }, { id: 'grad-run' });
  const copy = button('Copy NumPy BPTT', 'copy', () => post({ type: 'command', command: 'copyBptt' }), { id: 'grad-copy-bptt', title: 'The backward pass of this model written out in NumPy, with its gradient check' });
  sec.append(
    h('div', { class: 'row' }, field('Loss', loss), field('Targets', target), field('Noise σ', sigma), field('η (one SGD step)', eta), h('label', { class: 'field' }, check, h('span', {}, ' finite-difference check')), go, copy),
    status,
    out,
  );
  return sec;
}

registerSection({ id: 'gradients', order: 80, render: gradientsSection });
