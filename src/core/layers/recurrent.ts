/**
 * The RNN layer as a registry entry: SimpleRNN, LSTM, GRU, RNN(cell), CuDNNLSTM, CuDNNGRU.
 * Configuration side in rnnParams.ts, the engine in rnnRun.ts.
 */
import { InspectorError, type Layer, type Shape, type Weight } from '../model';
import type { Description, ExpectedWeight, LayerSpec, RunCtx, ShapeCtx, Tensor } from './types';
import { matchWeights, one } from './util';
import { rnnDescribe, rnnExpectedWeights, rnnOutputShapes, rnnParams } from './rnnParams';
import { initialStates, runRnn } from './rnnRun';
import { rnnBackward } from './recurrentBackward';
import type { RnnTape } from '../math/bptt';

export { rnnParams, rnnOutputShapes, rnnExpectedWeights, rnnDescribe } from './rnnParams';
export type { RnnParams, RnnKind } from './rnnParams';
export { runRnn } from './rnnRun';
export type { RnnRun } from './rnnRun';

/** The RNN layer as a registry entry (SimpleRNN, LSTM, GRU, RNN(cell), CuDNNLSTM, CuDNNGRU). */
export const recurrentSpec: LayerSpec = {
  recurrent: true,
  outputShapes(layer: Layer, inputs: Shape[]): Shape[] {
    return rnnOutputShapes(rnnParams(layer), sequenceInput(layer, inputs));
  },
  expectedWeights(layer: Layer, inputs: Shape[], _ctx: ShapeCtx, stored?: Weight[]): ExpectedWeight[] {
    return rnnExpectedWeights(rnnParams(layer, stored), sequenceInput(layer, inputs));
  },
  indexed: true,
  describe(layer, _inputs, shapes, _ctx, where): Description {
    const d = rnnDescribe(rnnParams(layer, layer.weights), shapes, where, layer.name);
    const from = initialStateSources(layer);
    if (from.length) d.equations = [...(d.equations ?? []), `${from.join(', ')} (initial_state), not zeros`];
    return d;
  },
  forward(layer: Layer, inputs: Tensor[], ctx: RunCtx): Tensor[] {
    const x = sequenceInput(layer, inputs);
    const p = rnnParams(layer, layer.weights);
    const init = initialStates(layer, p, inputs.slice(1), x.array.shape[0]);
    const run = runRnn(layer, p, x, layer.weights, ctx, ctx.trace !== null, !!ctx.keep, init);
    if (run.trace && ctx.trace) ctx.trace(layer.name, layer.className, undefined, run.trace);
    if (ctx.keep) ctx.keep.value = run.tape;
    const outMask = p.returnSequences ? x.mask : null;
    return [{ array: run.output, mask: outMask }, ...(p.returnState ? run.states.map((s) => ({ array: s, mask: null })) : [])];
  },
  backward(layer, inputs, _outputs, dOutputs, ctx) {
    if (inputs.length > 1) throw new InspectorError('', `no backward step for initial_state yet (layer ${layer.name})`);
    const [x, p] = [one(layer, inputs), rnnParams(layer, layer.weights)];
    return rnnBackward({ layer, p, x, expected: rnnExpectedWeights(p, [null, ...x.array.shape.slice(1)]), tape: ctx.kept as RnnTape, dOutputs, ctx });
  },
};

/** The sequence input of a call; further inputs are its initial states (Keras's initial_state). */
function sequenceInput<T>(layer: Layer, inputs: T[]): T {
  if (inputs.length === 0) one(layer, inputs);
  return inputs[0];
}

/** "h_0 = lstm_1[0][1], c_0 = lstm_1[0][2]" for the first call's initial states. */
export function initialStateSources(layer: Layer): string[] {
  const refs = layer.inbound?.[0]?.slice(1) ?? [];
  const names = refs.length === 2 ? ['h_0', 'c_0'] : refs.map((_, i) => (i === 0 ? 'h_0' : `s${i}_0`));
  return refs.map((r, i) => `${names[i]} = ${r.layer}[${r.node}][${r.tensor}]`);
}

export { matchWeights };
