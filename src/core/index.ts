/**
 * The core's public surface. The CLI, the extension host and the tests import only this file.
 * Pure TypeScript: no `vscode` import anywhere under src/core/.
 *
 *   openModel(path)            file → normalized Model            (formats/)
 *   openModelBounded(path)     the same in a worker thread, within a time and memory budget (bounded.ts)
 *   summarize(model)           shapes, parameters, D/M/K notation (shapes.ts, layers/)
 *   kerasSummary(model, s)     model.summary() as Keras 3 prints it (summary/)
 *   forward(model, inputs)     the by-hand forward pass           (forward.ts, layers/, math/)
 *   verify(actual, expected)   max |Δ|, worst sample, tolerance   (verify.ts)
 *   gradients(model, X, T)     the by-hand backward pass (BPTT)   (gradients.ts, losses.ts, layers/*Backward.ts, math/bptt.ts)
 *   gradientCheck / sgdStep    finite differences, one SGD step   (gradcheck.ts)
 *   loadArrays / saveNpy / randn  sample data                      (arrays/)
 */
export * from './model';
export { openModel } from './formats';
export type { OpenOptions } from './formats';
export { openModelBounded, openTimeBudgetMs, OPEN_TIME_BUDGET_MS, OPEN_MEMORY_BUDGET_MB, OPEN_HEAP_BUDGET_MB } from './bounded';
export type { BoundedOpenOptions } from './bounded';
export { summarize } from './shapes';
export type { Summary, SummaryLayer, SummaryWeight, Dims } from './shapes';
export type { Letter, Term } from './layers/types';
export { kerasSummary, summaryText, kerasShape, readableMemorySize, groupThousands, paramTotals, DEFAULT_COLUMNS } from './summary';
export type { KerasSummary, SummaryOptions, SummaryRow, SummaryTotal } from './summary';
export { forward } from './forward';
export { layerSteps } from './steps';
export type { LayerSteps } from './steps';
export type { RnnStep } from './layers/rnnSteps';
export type { ForwardOptions, ForwardResult, NamedArray, LayerTrace } from './forward';
export { chooseHardSigmoid, fileHardSigmoid, parseHardSigmoid, usesHardSigmoid, HARD_SIGMOID_FORMULA } from './hardSigmoid';
export type { HardSigmoid, HardSigmoidChoice } from './hardSigmoid';
export { recheckHardSigmoid } from './recheck';
export { verify, tolerance, withinTolerance, DEFAULT_ATOL, DEFAULT_RTOL } from './verify';
export type { VerifyOptions, VerifyReport, OutputCheck } from './verify';
export { gradients, modelLoss, backwardProblems } from './gradients';
export type { GradientsOptions, GradientsResult, HiddenGradNorms } from './gradients';
export { LOSSES, isLossName, lossAndGrad } from './losses';
export type { LossName } from './losses';
export { gradientCheck, sgdStep, relError } from './gradcheck';
export type { GradCheckOptions, GradCheckReport, GradCheckEntry, SgdStep } from './gradcheck';
export type { WeightGrad } from './layers/types';
export { gradientLabeller } from './gradientLabels';
export type { GradientLabel } from './gradientLabels';
export { loadArrays, parseNpy, parseNpz, writeNpy, arrayFromJson, arrayToNested } from './arrays';
export { openNpyStream } from './arrays/npyStream';
export type { NpyStream } from './arrays/npyStream';
export { NumpyRandomState, randn } from './arrays/numpyRandom';
export { findSidecars, sidecarNames, randomInputs, modelStem } from './samples';
export type { Sidecars, RandomInputs } from './samples';
export { fmtShape } from './pyrepr';
export { bytesPerElement } from './dtypes';
export { consumers } from './layers/graph';
export { inputLayerShape, isInputLayer } from './layers/core';
export { getSpec, takesTokens } from './layers/registry';
export type { LayerSpec } from './layers/types';
export { isKeras2 } from './math/activations';
export { pyStr, pyComment, pyInt, pyFloat, describeValue, mdText, mdFence, mdCode, notifyText, termSafe, MAX_COMMENT_NAME, MAX_CODE_INT } from './text';
export { countNonFinite, explainNonFinite, nonFiniteArrays, nonFiniteWeights, whereNonFinite } from './nonFinite';
export type { NonFiniteCount } from './nonFinite';
