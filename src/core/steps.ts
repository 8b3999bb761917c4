/**
 * The step-through of one recurrent layer for one sample: runs the forward pass on that sample up
 * to the layer (to get the sequence it reads: the model's input, or the previous layer's h_t), then
 * steps the layer (both halves of a Bidirectional) with layers/rnnSteps.ts.
 */
import { InspectorError, type Model, type NDArray } from './model';
import { inFile } from './inFile';
import { forward } from './forward';
import { getSpec } from './layers/registry';
import { biParts } from './layers/wrappers';
import { rnnSteps, type RnnSteps } from './layers/rnnSteps';

export interface LayerSteps extends RnnSteps {
  /** For a Bidirectional layer: which half. */
  direction?: 'forward' | 'backward';
}

/** `inputs`: one array per model input, each holding the one sample (batch axis of 1). */
/** Problems found after the file was opened name it (model.source.path). */
export function layerSteps(model: Model, inputs: NDArray[], layerName: string, opts: { hardSigmoid?: 'keras3' | 'keras2' } = {}): LayerSteps[] {
  return inFile(model.source?.path ?? '', () => layerStepsIn(model, inputs, layerName, opts));
}

function layerStepsIn(model: Model, inputs: NDArray[], layerName: string, opts: { hardSigmoid?: 'keras3' | 'keras2' } = {}): LayerSteps[] {
  const layer = model.layers.find((l) => l.name === layerName);
  const spec = layer && getSpec(layer.className);
  if (!layer || !spec?.recurrent) throw new InspectorError('', `layer ${layerName} is not a recurrent layer`);
  let seq: NDArray | undefined;
  let states: NDArray[] = [];
  forward(model, inputs, {
    engine: 'reference',
    hardSigmoid: opts.hardSigmoid,
    onLayerInputs: (name, ins) => {
      if (name === layerName && !seq) [seq, ...states] = ins;
    },
  });
  if (!seq) throw new InspectorError('', `layer ${layerName} was not reached by the forward pass`);
  const kv = opts.hardSigmoid === 'keras2' ? '2.0' : undefined;
  if (spec.inner) {
    if (states.length) throw new InspectorError('', `layer ${layerName}: the step-through of a Bidirectional started from initial states is not written yet`);
    const [fwd, bwd] = biParts(layer);
    return [
      { ...rnnSteps(fwd, seq, kv), layer: layer.name, direction: 'forward' },
      { ...rnnSteps(bwd, seq, kv), layer: layer.name, direction: 'backward' },
    ];
  }
  return [rnnSteps(layer, seq, kv, { h: states[0]?.data, c: states[1]?.data })];
}
