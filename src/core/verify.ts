/**
 * Manual vs expected: elementwise |a − e| ≤ atol + rtol·|e| (numpy.allclose), the worst element,
 * per model output.
 */
import { InspectorError, type NDArray } from './model';
import type { NamedArray } from './forward';
import { fmtShape } from './pyrepr';

export const DEFAULT_ATOL = 1e-5;
export const DEFAULT_RTOL = 1e-4;

/** numpy.allclose's bound for one expected value: atol + rtol·|expected|. */
export function tolerance(expected: number, atol: number, rtol: number): number {
  return atol + rtol * Math.abs(expected);
}

/** numpy.allclose's rule for one element: |actual − expected| ≤ atol + rtol·|expected| (NaN never passes). */
export function withinTolerance(actual: number, expected: number, atol: number, rtol: number): boolean {
  // numpy.isclose: an infinite expected value matches only the same infinity (its bound would be Inf).
  if (expected - expected !== 0) return actual === expected;
  return Math.abs(actual - expected) <= tolerance(expected, atol, rtol);
}

export interface VerifyOptions {
  atol?: number;
  rtol?: number;
}

export interface OutputCheck {
  name: string;
  shape: number[];
  count: number;
  mismatches: number;
  maxAbsDiff: number;
  pass: boolean;
  /** The element with the largest |Δ| (NaN counts as infinitely far); sample = first index. */
  worst: { sample: number; index: number[]; actual: number; expected: number; tolerance: number } | null;
  /**
   * Present when either side holds NaN / ±Inf: how many values of the manual output and of the
   * expected array are not finite (they never match; nonFinite.ts says where they come from).
   */
  nonFinite?: { actual: number; expected: number };
}

export interface VerifyReport {
  pass: boolean;
  atol: number;
  rtol: number;
  outputs: OutputCheck[];
}


function unravel(flat: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d];
    idx[d] = n > 0 ? flat % n : 0;
    flat = n > 0 ? Math.floor(flat / n) : 0;
  }
  return idx;
}

export function verify(actual: (NDArray | NamedArray)[], expected: NDArray[], opts: VerifyOptions = {}): VerifyReport {
  const atol = opts.atol ?? DEFAULT_ATOL;
  const rtol = opts.rtol ?? DEFAULT_RTOL;
  if (actual.length !== expected.length) {
    throw new InspectorError(
      '',
      `the model has ${actual.length} output${actual.length === 1 ? '' : 's'} but ${expected.length} expected array${expected.length === 1 ? ' was' : 's were'} given`,
    );
  }
  const outputs: OutputCheck[] = actual.map((item, k) => {
    const named = 'array' in item ? item : null;
    const a = named ? named.array : (item as NDArray);
    const name = named ? named.name : `output ${k}`;
    const e = expected[k];
    const same = a.shape.length === e.shape.length && a.shape.every((d, i) => d === e.shape[i]);
    if (!same) {
      throw new InspectorError(
        '',
        `${name}: computed shape ${fmtShape(a.shape)} does not match the expected array's shape ${fmtShape(e.shape)}`,
      );
    }
    const ad = a.data;
    const ed = e.data;
    let mismatches = 0;
    let maxAbsDiff = 0;
    let worstAt = -1;
    let worstDiff = -1;
    let sawNaN = false;
    let badActual = 0;
    let badExpected = 0;
    for (let i = 0; i < ad.length; i++) {
      const x = ad[i];
      const y = ed[i];
      if (x - x !== 0) badActual++;
      if (y - y !== 0) badExpected++;
      const diff = Math.abs(x - y);
      // NaN in either side: diff is NaN, so the comparison fails and it counts as a mismatch.
      if (!withinTolerance(x, y, atol, rtol)) mismatches++;
      const rank = Number.isNaN(diff) ? Infinity : diff;
      if (rank > worstDiff) {
        worstDiff = rank;
        worstAt = i;
      }
      if (diff > maxAbsDiff) maxAbsDiff = diff;
      else if (diff !== diff) sawNaN = true;
    }
    let worst: OutputCheck['worst'] = null;
    if (worstAt >= 0) {
      const index = unravel(worstAt, a.shape);
      const y = ed[worstAt];
      worst = { sample: index[0] ?? 0, index, actual: ad[worstAt], expected: y, tolerance: tolerance(y, atol, rtol) };
    }
    if (sawNaN) maxAbsDiff = NaN;
    const nonFinite = badActual || badExpected ? { nonFinite: { actual: badActual, expected: badExpected } } : {};
    return { name, shape: a.shape.slice(), count: ad.length, mismatches, maxAbsDiff, pass: mismatches === 0, worst, ...nonFinite };
  });
  return { pass: outputs.every((o) => o.pass), atol, rtol, outputs };
}
