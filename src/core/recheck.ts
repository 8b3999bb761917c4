/**
 * After a failed verification: would the other hard_sigmoid definition have matched? Says so in
 * one line ("matches when hard_sigmoid is Keras 3's: …"), so a file whose predictions were made
 * with a different Keras than the one that wrote it is not reported as simply wrong.
 */
import type { NDArray } from './model';
import { forward, type ForwardOptions, type ForwardResult } from './forward';
import { verify, type VerifyOptions, type VerifyReport } from './verify';
import { otherMatchesLine } from './hardSigmoid';
import type { Model } from './model';

export function recheckHardSigmoid(
  model: Model,
  inputs: NDArray[],
  expected: NDArray[],
  result: ForwardResult,
  report: VerifyReport,
  tol: VerifyOptions,
  opts: Omit<ForwardOptions, 'hardSigmoid' | 'trace'> = {},
): string | null {
  if (report.pass || !result.hardSigmoid) return null;
  const other = result.hardSigmoid.semantics === 'keras2' ? 'keras3' : 'keras2';
  try {
    const alt = forward(model, inputs, { ...opts, hardSigmoid: other });
    return verify(alt.outputs, expected, tol).pass ? otherMatchesLine(other) : null;
  } catch {
    return null;
  }
}
