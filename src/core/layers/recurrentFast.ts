/**
 * When a recurrent layer can run on the SIMD kernels (src/core/math/fastRnn.ts), and the glue to
 * call them: no mask with a masked step, activations the kernels vectorise, the kernels loaded,
 * and the engine not forced to the reference. Otherwise null and runRnn keeps the reference path.
 */
import { fastRnn, type FastRnnKind, type FastRnnResult } from '../math/fastRnn';
import type { RnnTape } from '../math/bptt';
import { activationCode } from '../math/wasm';
import { activationName, isKeras2 } from '../math/activations';
import type { RunCtx } from './types';

/** The part of RnnParams (./recurrent) the fast path reads. */
interface FastParams {
  kind: string;
  units: number;
  activation: unknown;
  recurrentActivation: unknown;
  goBackwards: boolean;
}

export function tryFastRnn(
  p: FastParams,
  resetAfter: boolean,
  x: { data: Float64Array; shape: number[]; mask: Uint8Array | null },
  Wx: Float64Array,
  Wh: Float64Array,
  inBias: Float64Array | null,
  recBias: Float64Array | null,
  ctx: RunCtx,
  wantSeq: boolean,
  tape?: RnnTape,
): FastRnnResult | null {
  if (ctx.engine === 'reference') return null;
  if (x.mask && x.mask.includes(0)) return null;
  const keras2 = isKeras2(ctx.kerasVersion);
  const act = activationCode(activationName(p.activation), keras2);
  const G = p.kind === 'SimpleRNN' ? 1 : p.kind === 'LSTM' || p.kind === 'CuDNNLSTM' ? 4 : 3;
  const ract = G === 1 ? 0 : activationCode(activationName(p.recurrentActivation), keras2);
  if (act === null || ract === null) return null;
  const kind: FastRnnKind = G === 1 ? 0 : G === 4 ? 1 : resetAfter ? 2 : 3;
  const [N, T, D] = x.shape;
  const precision = ctx.precision ?? 'f64';
  // The backward pass's tape: float64, and not the two-phase reset-before GRU (the reference keeps it).
  if (tape && (precision !== 'f64' || kind === 3)) return null;
  const r = fastRnn({
    kind,
    N,
    T,
    D,
    M: p.units,
    x: x.data,
    Wx,
    Wh,
    inBias,
    recBias,
    act,
    ract,
    goBackwards: p.goBackwards,
    wantSeq,
    precision,
    isCancelled: ctx.isCancelled,
    tape,
  });
  if (r) ctx.usedFast?.(precision);
  return r;
}
