/**
 * rnn-inspector gradients: the core's backward pass, headless. Prints the loss, dL/dw for every
 * trainable weight in the user's notation (dL/dWx, dL/dWh, dL/dbh, dL/dWo, dL/dbo…) with Keras 3's
 * variable path, ‖∂L/∂h_t‖ per recurrent layer, and with --check the finite-difference report.
 * --json: {"loss": L, "gradients": [{path, shape, data}…]} in model.trainable_weights order.
 * Exit code 1 when --check finds a relative error above 1e-6.
 */
import { zipSync } from 'fflate';
import { writeOut } from './args';
import {
  arrayToNested,
  gradientLabeller,
  gradientCheck,
  gradients,
  isLossName,
  LOSSES,
  summarize,
  writeNpy,
  type GradCheckReport,
  type LossName,
  type Model,
  type NDArray,
  type WeightGrad,
} from '../core';

export const GRADIENTS_USAGE = `  rnn-inspector gradients MODEL [--inputs X …] --targets T [--targets T2 …] [--loss ${LOSSES.join('|')}] [--check] [--json] [--out grads.npz] [--hard-sigmoid keras2|keras3]`;

export const GRADIENTS_HELP = `gradients runs the forward pass, the loss against --targets (default mse; without --targets the
expected predictions found as for verify) and backpropagation through time by hand: dL/dw for every
trainable weight, named as in the summary (dL/dWx …) and by Keras 3's variable path, in the order of
model.trainable_weights. --check adds central finite differences on every weight element (a seeded
sample of 1000 for larger models): exit code 1 if any relative error exceeds 1e-6.
--out grads.npz writes the gradients as float64 arrays keyed by variable path.`;

/** The largest relative error --check accepts. */
export const CHECK_LIMIT = 1e-6;

export interface GradientsArgs {
  model: Model;
  inputs: NDArray[];
  inputsFrom: string;
  targets: NDArray[];
  targetsFrom: string;
  loss?: string;
  check?: boolean;
  json?: boolean;
  out?: string;
  /** As for the other commands: --hard-sigmoid / --keras2-hard-sigmoid; undefined, the file's own. */
  hardSigmoid?: 'keras2' | 'keras3';
}

function notationOf(model: Model): (g: WeightGrad) => { symbol: string; notation: string } {
  const label = gradientLabeller(summarize(model));
  return (g) => label(g.path);
}

const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(6) : x.toExponential(4));

function matrixLines(g: WeightGrad): string[] {
  if (g.data.length > 400) return [`    (${g.data.length} values; first: ${Array.from(g.data.subarray(0, 8), fmt).join(', ')}, …)`];
  const cols = g.shape.length >= 2 ? g.shape[g.shape.length - 1] : g.data.length;
  const cells = Array.from(g.data, fmt);
  const w = Math.max(...cells.map((c) => c.length));
  const lines: string[] = [];
  for (let r = 0; r < g.data.length / cols; r++) lines.push(`    ${cells.slice(r * cols, (r + 1) * cols).map((c) => c.padStart(w)).join('  ')}`);
  return lines;
}

function checkLines(c: GradCheckReport): string[] {
  const ok = c.maxRelError <= CHECK_LIMIT;
  const lines = [
    `Gradient check: central finite differences (five-point, h = ${c.step}) on ${c.checked} of ${c.total} weight elements${c.checked < c.total ? ' (seeded sample)' : ''}`,
    `  max relative error ${c.maxRelError.toExponential(2)}, max |Δ| ${c.maxAbsError.toExponential(2)}  ${ok ? '✓' : '✗'} (limit ${CHECK_LIMIT})`,
  ];
  if (c.worst) lines.push(`  worst: ${c.worst.path}[${c.worst.index}] analytic ${fmt(c.worst.analytic)} vs numeric ${fmt(c.worst.numeric)}`);
  if (c.smallerSteps) lines.push(`  ${c.smallerSteps} element(s) needed a smaller step (a kink of the activation within h)`);
  for (const p of c.perWeight) lines.push(`  ${p.path.padEnd(48)} ${String(p.checked).padStart(6)} checked  max rel ${p.maxRelError.toExponential(2)}`);
  return lines;
}

/** Writes the gradients as an .npz (a zip of float64 .npy files keyed by variable path). */
function writeNpz(path: string, grads: WeightGrad[]): void {
  const files: Record<string, Uint8Array> = {};
  for (const g of grads) files[`${g.path}.npy`] = writeNpy({ shape: g.shape, data: g.data }, 'float64');
  writeOut(path, zipSync(files, { level: 0 }));
}

export function runGradients(a: GradientsArgs, out: (s: string) => void, usage: (msg: string) => Error): number {
  const loss = a.loss ?? 'mse';
  if (!isLossName(loss)) throw usage(`--loss must be one of ${LOSSES.join(', ')} (got ${loss})`);
  const opts = { loss: loss as LossName, hardSigmoid: a.hardSigmoid };
  const r = gradients(a.model, a.inputs, a.targets, opts);
  const check = a.check ? gradientCheck(a.model, a.inputs, a.targets, opts, r) : null;
  if (a.out) writeNpz(a.out, r.gradients);
  if (a.json) {
    out(
      JSON.stringify({
        loss: r.value,
        loss_name: r.loss,
        gradients: r.gradients.map((g) => ({ path: g.path, shape: g.shape, data: arrayToNested({ shape: g.shape, data: g.data }) })),
        hidden_grad_norms: r.hiddenGradNorms.map((h) => ({ layer: h.layer, ...(h.direction ? { direction: h.direction } : {}), norms: Array.from(h.norms) })),
        ...(check ? { check: { checked: check.checked, total: check.total, step: check.step, max_rel_error: check.maxRelError, max_abs_error: check.maxAbsError, worst: check.worst, pass: check.maxRelError <= CHECK_LIMIT } } : {}),
      }),
    );
  } else {
    const name = notationOf(a.model);
    out(`Inputs: ${a.inputsFrom}`);
    out(`Targets: ${a.targetsFrom}`);
    out(`Loss: ${r.loss} = ${r.value.toPrecision(10)}`);
    out('');
    for (const g of r.gradients) {
      const n = name(g);
      let sq = 0;
      for (const v of g.data) sq += v * v;
      out(`${n.symbol}  ${g.path}  ${g.shape.join('×') || 'scalar'}${n.notation ? ` (${n.notation})` : ''}  ‖·‖ = ${fmt(Math.sqrt(sq))}`);
      for (const l of matrixLines(g)) out(l);
    }
    if (r.hiddenGradNorms.length) {
      out('');
      out('‖∂L/∂h_t‖ per step, t = T … 1 (vanishing when it shrinks towards t = 1, exploding when it grows):');
      for (const h of r.hiddenGradNorms) out(`  ${h.layer}${h.direction ? ` (${h.direction})` : ''}: ${Array.from(h.norms).reverse().map(fmt).join('  ')}`);
    }
    if (a.out) out(`\nWrote ${a.out}`);
    if (check) {
      out('');
      for (const l of checkLines(check)) out(l);
    }
  }
  return check && check.maxRelError > CHECK_LIMIT ? 1 : 0;
}
