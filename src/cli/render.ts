/**
 * What predict and verify print: arrays as NumPy prints them (shortened when large), the verify
 * report with its notes (NaN / Inf first, then the result line), and verify's --json object.
 */
import { arrayToNested, type NDArray, type VerifyReport } from '../core';

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(8).replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
}

export function renderArray(a: NDArray): string {
  const nested = arrayToNested(a);
  const total = a.data.length;
  if (total > 2000) return `array of shape (${a.shape.join(', ')}), first values: [${Array.from(a.data.subarray(0, 10), formatNumber).join(', ')}, …]`;
  const walk = (v: unknown, indent: string): string => {
    if (!Array.isArray(v)) return formatNumber(v as number);
    if (!v.some(Array.isArray)) return `[${v.map((x) => formatNumber(x as number)).join(', ')}]`;
    return `[${v.map((x, i) => (i ? indent + ' ' : '') + walk(x, indent + ' ')).join(',\n')}]`;
  };
  return walk(nested, '');
}

/** Writes predict's outputs; `guard` refuses (before anything is written) a path that is an input. */
export function renderVerify(r: VerifyReport, from: string, expectedFrom: string, notes: string[] = []): string {
  const lines = [`Inputs: ${from}`, `Expected: ${expectedFrom}`, `Tolerance: |Δ| ≤ ${r.atol} + ${r.rtol}·|expected|`];
  for (const o of r.outputs) {
    const mark = o.pass ? '✓ PASS' : '✗ FAIL';
    lines.push(`${mark}  ${o.name}  shape (${o.shape.join(', ')})  max |Δ| = ${o.maxAbsDiff.toExponential(3)}  mismatches ${o.mismatches}/${o.count}`);
    if (o.worst && !o.pass) {
      lines.push(`        worst: sample ${o.worst.sample}, index [${o.worst.index.join(', ')}]: manual ${formatNumber(o.worst.actual)} vs expected ${formatNumber(o.worst.expected)} (allowed ${o.worst.tolerance.toExponential(2)})`);
    } else if (o.worst) {
      lines.push(`        largest |Δ| at sample ${o.worst.sample}, index [${o.worst.index.join(', ')}]`);
    }
  }
  const nanActual = r.outputs.some((o) => o.nonFinite?.actual);
  const nanExpected = r.outputs.some((o) => o.nonFinite?.expected);
  for (const n of notes) lines.push(`Note: ${n}`);
  lines.push(
    r.pass
      ? 'Result: the manual forward pass reproduces the expected predictions.'
      : nanActual
        ? 'Result: NOT VERIFIED: the manual forward pass gives NaN / Inf (see the notes), so it cannot be compared with the expected predictions.'
        : nanExpected
          ? 'Result: MISMATCH: the expected predictions hold NaN / Inf (see the notes).'
          : 'Result: MISMATCH between the manual forward pass and the expected predictions.',
  );
  return lines.join('\n');
}

export function verifyJson(r: VerifyReport) {
  return {
    pass: r.pass,
    atol: r.atol,
    rtol: r.rtol,
    outputs: r.outputs.map((o) => ({
      name: o.name,
      shape: o.shape,
      count: o.count,
      mismatches: o.mismatches,
      max_abs_diff: o.maxAbsDiff,
      pass: o.pass,
      worst: o.worst && { sample: o.worst.sample, index: o.worst.index, actual: o.worst.actual, expected: o.worst.expected, tolerance: o.worst.tolerance },
      ...(o.nonFinite ? { non_finite: { manual: o.nonFinite.actual, expected: o.nonFinite.expected } } : {}),
    })),
  };
}

