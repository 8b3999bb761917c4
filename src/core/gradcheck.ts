/**
 * The gradient check the by-hand courses run after writing BPTT, and one SGD step.
 *
 * gradientCheck(): central finite differences of the loss on a seeded sample of weight elements
 * (all of them for small models), compared with the analytic gradients of gradients(). The
 * five-point stencil (−f(w+2h) + 8f(w+h) − 8f(w−h) + f(w−2h)) / 12h has truncation error O(h⁴), so
 * in float64 it resolves gradients to ~1e-12; a step straddling a kink (relu at 0) is detected by
 * comparing with h/10 and shrunk. Relative error per element: |a − n| / max(|a|, |n|, 1e-5) (the
 * floor: an element whose gradient is below 1e-5 is held to an absolute error of 1e-11 instead).
 *
 * sgdStep(): w ← w − η·∂L/∂w on a copy of the weights, and the loss before and after.
 */
import type { Model, NDArray, Weight } from './model';
import { NumpyRandomState } from './arrays/numpyRandom';
import { gradients, modelLoss, type GradientsOptions, type GradientsResult } from './gradients';

export interface GradCheckOptions extends GradientsOptions {
  /** Most elements checked; every element when the model has at most this many (default 1000). */
  sample?: number;
  /** Seed of the sample (default 0). */
  seed?: number;
  /** Step h (default 1e-4). */
  step?: number;
}

export interface GradCheckEntry {
  path: string;
  /** Flat (C-order) index in the weight. */
  index: number;
  analytic: number;
  numeric: number;
  relError: number;
}

export interface GradCheckReport {
  /** Elements checked and elements in all trainable weights. */
  checked: number;
  total: number;
  step: number;
  maxRelError: number;
  maxAbsError: number;
  worst: GradCheckEntry | null;
  /** Elements whose difference needed a smaller step than `step` (a kink of relu & co. within h). */
  smallerSteps: number;
  /** Per weight: elements checked and the largest relative error among them. */
  perWeight: { path: string; checked: number; maxRelError: number }[];
}

export const REL_FLOOR = 1e-5;
/** Two estimates with steps h and h/10 that agree this closely are taken as converged. */
const AGREE = 1e-7;

export function relError(a: number, n: number): number {
  return Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), REL_FLOOR);
}

/**
 * Runs `fn` with the given weights holding float64 copies of their values, restored after. `set(k, a)`
 * puts a new array in weight k (a new object each time: the kernels cache transposes per array).
 */
function withF64<T>(weights: Weight[], fn: (data: Float64Array[], set: (k: number, a: Float64Array) => void) => T): T {
  const saved = weights.map((w) => w.data);
  const copies = weights.map((w) => Float64Array.from(w.data ?? []));
  weights.forEach((w, k) => (w.data = copies[k]));
  try {
    return fn(copies, (k, a) => (weights[k].data = a));
  } finally {
    weights.forEach((w, k) => (w.data = saved[k]));
  }
}

/** Which (weight, element) pairs to check: all, or a seeded sample of `max` spread over the weights. */
function pickElements(sizes: number[], max: number, seed: number): [number, number][] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const all: [number, number][] = [];
  if (total <= max) {
    sizes.forEach((n, k) => {
      for (let i = 0; i < n; i++) all.push([k, i]);
    });
    return all;
  }
  const rng = new NumpyRandomState(seed);
  const chosen = new Set<number>();
  while (chosen.size < max) chosen.add(Math.floor(rng.randomSample() * total));
  const flat = [...chosen].sort((a, b) => a - b);
  let k = 0;
  let start = 0;
  for (const f of flat) {
    while (f >= start + sizes[k]) start += sizes[k++];
    all.push([k, f - start]);
  }
  return all;
}

export function gradientCheck(model: Model, inputs: NDArray[], targets: NDArray[], opts: GradCheckOptions = {}, analytic?: GradientsResult): GradCheckReport {
  const res = analytic ?? gradients(model, inputs, targets, opts);
  const grads = res.gradients.filter((g) => g.weight?.data);
  const h = opts.step ?? 1e-4;
  const picks = pickElements(grads.map((g) => g.data.length), opts.sample ?? 1000, opts.seed ?? 0);
  const per = grads.map((g) => ({ path: g.path, checked: 0, maxRelError: 0 }));
  let worst: GradCheckEntry | null = null;
  let maxAbs = 0;
  let kinks = 0;
  withF64(
    grads.map((g) => g.weight!),
    (data, set) => {
      for (const [k, i] of picks) {
        const at = (d: number): number => {
          const w = Float64Array.from(data[k]);
          w[i] += d;
          set(k, w);
          return modelLoss(model, inputs, targets, opts);
        };
        const fd = (hh: number): number => (-at(2 * hh) + 8 * at(hh) - 8 * at(-hh) + at(-2 * hh)) / (12 * hh);
        // A step that straddles a kink (relu at 0…) gives a wrong difference: shrink it until two
        // successive estimates agree, and keep the larger (less round-off) of the two.
        let numeric = fd(h);
        for (let hh = h / 10, n = 0; n < 3; n++, hh /= 10) {
          const next = fd(hh);
          // Agreement up to 1e-7 relative plus the round-off of the smaller step (~eps·|L|/h).
          if (Math.abs(numeric - next) <= AGREE * Math.max(Math.abs(numeric), Math.abs(next)) + (100 * 2.2e-16 * (Math.abs(res.value) + 1)) / hh) break;
          numeric = next;
          if (n === 0) kinks++;
        }
        set(k, data[k]);
        const a = grads[k].data[i];
        const e = relError(a, numeric);
        maxAbs = Math.max(maxAbs, Math.abs(a - numeric));
        per[k].checked++;
        per[k].maxRelError = Math.max(per[k].maxRelError, e);
        if (!worst || e > worst.relError) worst = { path: grads[k].path, index: i, analytic: a, numeric, relError: e };
      }
    },
  );
  const total = grads.reduce((s, g) => s + g.data.length, 0);
  return { checked: picks.length, total, step: h, maxRelError: worst ? (worst as GradCheckEntry).relError : 0, maxAbsError: maxAbs, worst, perWeight: per, smallerSteps: kinks };
}

export interface SgdStep {
  learningRate: number;
  lossBefore: number;
  lossAfter: number;
  /** The weights after the step, in the order of `gradients` (float64). */
  updated: { path: string; shape: number[]; data: Float64Array }[];
}

/** One step of plain gradient descent, w ← w − η·∂L/∂w; the model itself is left as it was. */
export function sgdStep(model: Model, inputs: NDArray[], targets: NDArray[], learningRate: number, opts: GradientsOptions = {}, analytic?: GradientsResult): SgdStep {
  const res = analytic ?? gradients(model, inputs, targets, opts);
  const grads = res.gradients.filter((g) => g.weight?.data);
  return withF64(
    grads.map((g) => g.weight!),
    (data) => {
      grads.forEach((g, k) => {
        for (let i = 0; i < g.data.length; i++) data[k][i] -= learningRate * g.data[i];
      });
      const lossAfter = modelLoss(model, inputs, targets, opts);
      return {
        learningRate,
        lossBefore: res.value,
        lossAfter,
        updated: grads.map((g, k) => ({ path: g.path, shape: g.shape.slice(), data: Float64Array.from(data[k]) })),
      };
    },
  );
}
