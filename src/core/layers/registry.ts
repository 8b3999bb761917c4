/**
 * The layer registry: Keras class name → LayerSpec, the only place (with the spec files beside it)
 * that names a Keras class. Adding a Keras layer is one spec plus one line here; a line may add
 * class-level facts to a spec shared by several classes (gate letters, name prefixes, Keras 1
 * layouts…, see LayerSpec). Classes missing from the table still get a summary row (stored weights
 * counted, output shape unknown) and are reported by `forward` as not supported.
 */
import type { Layer, Weight } from '../model';
import type { LayerSpec } from './types';
import { recurrentSpec } from './recurrent';
import { rnnParams } from './rnnParams';
import { denseSpec } from './dense';
import { bidirectionalSpec, timeDistributedSpec, useRegistry } from './wrappers';
import {
  activationSpec,
  asActivation,
  flattenSpec,
  identitySpec,
  inputLayerSpec,
  lambdaSpec,
  maskingSpec,
  permuteSpec,
  repeatVectorSpec,
  reshapeSpec,
} from './core';
import { embeddingSpec } from './embedding';
import { batchNormSpec, layerNormSpec } from './normalization';
import { concatenateSpec, elementwiseMergeSpec } from './merge';
import { globalPool1DSpec, pool1DSpec } from './pooling';
import { conv1DSpec } from './conv';
import { convSpec, poolSpec } from './convNd';
import { convLstmSpec } from './convLstm';
import { dotSpec } from './dot';
import * as rebuild from './rebuild';
import { useActivationLayers } from '../math/activations';

/** A plain recurrent class: the shared engine plus its gate letters and what readers need. */
/** The activation and (gated cells) recurrent activation of a recurrent layer. */
const rnnActivations = (l: Layer): unknown[] => {
  const p = rnnParams(l);
  return p.kind === 'SimpleRNN' ? [p.activation] : [p.activation, p.recurrentActivation];
};
const configActivation = (l: Layer): unknown[] => [(l.config ?? {}).activation];

const rnn = (gates: string[], names?: string[], keras1 = true): LayerSpec => ({
  ...recurrentSpec,
  activations: rnnActivations,
  gates,
  input: 'sequence',
  numpy: 'rnn',
  ...(names && { names, fromWeights: rebuild.recurrentFromWeights(gates.length), inferConfig: rebuild.recurrentInferConfig(gates.length) }),
  ...(keras1 && { keras1: { weights: true } }),
});
const LSTM_GATES = ['i', 'f', 'c', 'o'];
const GRU_GATES = ['z', 'r', 'h'];
const dropout = { keras1: { rename: { p: 'rate' } } };

const REGISTRY: Record<string, LayerSpec> = {
  InputLayer: { ...inputLayerSpec, numpy: 'skip' },
  SimpleRNN: rnn([], ['simple_rnn']),
  LSTM: rnn(LSTM_GATES, ['lstm', 'cu_dnn_lstm']),
  GRU: rnn(GRU_GATES, ['gru', 'cu_dnn_gru']),
  RNN: { ...recurrentSpec, activations: rnnActivations },
  CuDNNLSTM: rnn(LSTM_GATES, undefined, false),
  CuDNNGRU: rnn(GRU_GATES, undefined, false),
  Bidirectional: bidirectionalSpec,
  TimeDistributed: timeDistributedSpec,
  Dense: {
    ...denseSpec, activations: configActivation, input: 'vector', names: ['dense'], keras1: { weights: true }, numpy: 'dense',
    fromWeights: rebuild.denseFromWeights, inferConfig: rebuild.denseInferConfig, outputUnits: (l) => Number(l.config.units),
  },
  Embedding: {
    ...embeddingSpec, input: 'tokens', names: ['embedding'], numpy: 'embedding',
    keras1: { weights: true, wRole: 'embeddings', keepsOutputDim: true }, inferConfig: rebuild.embeddingInferConfig,
  },
  Dropout: { ...identitySpec, ...dropout, names: ['dropout'], inferConfig: rebuild.dropoutInferConfig },
  SpatialDropout1D: { ...identitySpec, ...dropout, names: ['spatial_dropout1d'] },
  GaussianNoise: identitySpec,
  GaussianDropout: identitySpec,
  AlphaDropout: identitySpec,
  ActivityRegularization: identitySpec,
  Activation: { ...activationSpec, activations: configActivation, names: ['activation'], numpy: 'activation', inferConfig: rebuild.activationInferConfig },
  ReLU: { ...activationSpec, asActivation: asActivation.ReLU },
  LeakyReLU: { ...activationSpec, asActivation: asActivation.LeakyReLU },
  ELU: { ...activationSpec, asActivation: asActivation.ELU },
  Softmax: { ...activationSpec, asActivation: asActivation.Softmax },
  Masking: { ...maskingSpec, names: ['masking'], numpy: 'masking' },
  BatchNormalization: { ...batchNormSpec, names: ['batch_normalization'], keras1: { weights: true }, fromWeights: rebuild.batchNormFromWeights },
  LayerNormalization: { ...layerNormSpec, names: ['layer_normalization'] },
  RepeatVector: { ...repeatVectorSpec, names: ['repeat_vector'], numpy: 'repeat', inferConfig: rebuild.repeatVectorInferConfig },
  Flatten: { ...flattenSpec, names: ['flatten'], numpy: 'flatten' },
  Reshape: reshapeSpec,
  Permute: permuteSpec,
  Lambda: lambdaSpec,
  Concatenate: concatenateSpec,
  Add: elementwiseMergeSpec,
  Subtract: elementwiseMergeSpec,
  Multiply: elementwiseMergeSpec,
  Average: elementwiseMergeSpec,
  Maximum: elementwiseMergeSpec,
  Minimum: elementwiseMergeSpec,
  GlobalAveragePooling1D: { ...globalPool1DSpec, names: ['global_average_pooling1d'] },
  GlobalMaxPooling1D: { ...globalPool1DSpec, names: ['global_max_pooling1d'] },
  GlobalAvgPool1D: globalPool1DSpec,
  GlobalMaxPool1D: globalPool1DSpec,
  Conv1D: { ...conv1DSpec, activations: configActivation, names: ['conv1d'] },
  Convolution1D: { ...conv1DSpec, activations: configActivation },
  MaxPooling1D: { ...pool1DSpec, names: ['max_pooling1d'] },
  AveragePooling1D: pool1DSpec,
  MaxPool1D: pool1DSpec,
  AvgPool1D: pool1DSpec,
  Conv2D: { ...convSpec(2), names: ['conv2d'] },
  Conv3D: { ...convSpec(3), names: ['conv3d'] },
  Convolution2D: convSpec(2),
  MaxPooling2D: { ...poolSpec(2, true), names: ['max_pooling2d'] },
  MaxPooling3D: { ...poolSpec(3, true), names: ['max_pooling3d'] },
  AveragePooling2D: { ...poolSpec(2, false), names: ['average_pooling2d'] },
  AveragePooling3D: { ...poolSpec(3, false), names: ['average_pooling3d'] },
  MaxPool2D: poolSpec(2, true),
  MaxPool3D: poolSpec(3, true),
  AvgPool2D: poolSpec(2, false),
  AvgPool3D: poolSpec(3, false),
  Dot: { ...dotSpec, names: ['dot'] },
  ConvLSTM1D: { ...convLstmSpec(1), names: ['conv_lstm1d', 'conv_lst_m1d'] },
  ConvLSTM2D: { ...convLstmSpec(2), names: ['conv_lstm2d', 'conv_lst_m2d'] },
  ConvLSTM3D: { ...convLstmSpec(3), names: ['conv_lstm3d', 'conv_lst_m3d'] },
};

export function getSpec(className: string): LayerSpec | undefined {
  return Object.hasOwn(REGISTRY, className) ? REGISTRY[className] : undefined;
}
useRegistry(getSpec);
useActivationLayers((className, config) => getSpec(className)?.asActivation?.(config) ?? null);

/** Classes with a registry entry (the architecture test checks that no other module names one). */
export function registeredClasses(): string[] {
  return Object.keys(REGISTRY);
}

const ENTRIES = Object.entries(REGISTRY);

/** Classes a reader produces when it must guess a layer it has no config for. */
export const GUESS = { dense: 'Dense', embedding: 'Embedding', weightless: 'Dropout' } as const;

/** A plain recurrent layer (SimpleRNN, LSTM, GRU, CuDNN*), not a wrapper or the generic RNN. */
export const isPlainRecurrent = (className: string): boolean => getSpec(className)?.gates !== undefined;

/** The plain recurrent class whose kernel is k·M wide (1 SimpleRNN, 3 GRU, 4 LSTM). */
export function recurrentClassOfWidth(k: number): string | undefined {
  return ENTRIES.find(([, s]) => s.gates && s.names && Math.max(1, s.gates.length) === k)?.[0];
}

/** A layer taking integer token ids (Embedding): random inputs are drawn with randint(0, vocabulary). */
export const takesTokens = (layer: Layer): boolean => getSpec(layer.className)?.input === 'tokens';

const prefixRe = (p: string): RegExp => new RegExp(`^${p.replace(/_/g, '_?')}`, 'i');
const NAME_RES: [RegExp, string][] = ENTRIES.flatMap(([cls, s]) => (s.names ?? []).map((p): [RegExp, string] => [prefixRe(p), cls]));

/** The class a stored layer name denotes ("lstm_1" → LSTM, "simplernn_2" → SimpleRNN), if any. */
export function classFromName(name: string): string | undefined {
  return NAME_RES.find(([re]) => re.test(name))?.[1];
}

/** The class of a Keras 3 weight-store key without its counter ("simple_rnn" → SimpleRNN). */
export function classFromStoreKey(base: string): string | undefined {
  return ENTRIES.find(([, s]) => s.names?.[0] === base)?.[0];
}

/** The class stored weights alone look like (inferred topologies), if any. */
export function classFromWeights(ws: Weight[]): string | undefined {
  return ENTRIES.find(([, s]) => s.fromWeights?.(ws))?.[0];
}
