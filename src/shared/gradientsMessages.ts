/**
 * The panel's backward-pass messages (types only): the webview asks `gradients` with the forward
 * section's sources; the host replies `gradientsResult` (src/shared/rpc.ts request/reply).
 */
import type { MatrixView, RunRequest } from './messages';

export type PanelLoss = 'mse' | 'categorical_crossentropy' | 'binary_crossentropy' | 'sparse_categorical_crossentropy';

export interface GradientsRequest {
  /** The forward section's inputs and expected predictions (sources, seed, N, T). */
  run: RunRequest;
  loss: PanelLoss;
  /** 'expected': the expected predictions are the targets; 'perturbed': the model's own predictions plus noise. */
  target: 'expected' | 'perturbed';
  /** Standard deviation of the noise added to the predictions (seeded: np.random.seed(1)). */
  perturbation: number;
  /** η of the one SGD step shown. */
  learningRate: number;
  check: boolean;
}

export interface GradientWeightView {
  path: string;
  /** dL/dWx, dL/dWh… */
  symbol: string;
  notation: string;
  shape: number[];
  norm: number;
  matrix: MatrixView;
  blocks?: { gate: string; columns: [number, number] }[];
}

export interface GradientsView {
  loss: PanelLoss;
  value: number;
  inputsLabel: string;
  targetsLabel: string;
  learningRate: number;
  /** The loss after one step w ← w − η·∂L/∂w. */
  lossAfter: number;
  weights: GradientWeightView[];
  /** ‖∂L/∂h_t‖ for t = 1…T (processing order) per recurrent layer. */
  hidden: { layer: string; direction?: string; norms: number[] }[];
  /** BPTT equations with the shape of each term, per recurrent layer. */
  equations: { layer: string; lines: [string, string][] }[];
  check?: { checked: number; total: number; maxRelError: number; worst: string; pass: boolean };
  elapsedMs: number;
}
