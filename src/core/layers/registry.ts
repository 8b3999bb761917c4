/**
 * The layer registry: Keras class name → LayerSpec. Adding a Keras layer is one spec plus one
 * line here. Classes missing from the table still get a summary row (stored weights counted,
 * output shape unknown) and are reported by `forward` as not supported.
 */
import type { LayerSpec } from './types';
import { recurrentSpec } from './recurrent';
import { denseSpec } from './dense';
import { bidirectionalSpec, timeDistributedSpec, useRegistry } from './wrappers';
import {
  activationSpec,
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

const REGISTRY: Record<string, LayerSpec> = {
  InputLayer: inputLayerSpec,
  SimpleRNN: recurrentSpec,
  LSTM: recurrentSpec,
  GRU: recurrentSpec,
  RNN: recurrentSpec,
  CuDNNLSTM: recurrentSpec,
  CuDNNGRU: recurrentSpec,
  Bidirectional: bidirectionalSpec,
  TimeDistributed: timeDistributedSpec,
  Dense: denseSpec,
  Embedding: embeddingSpec,
  Dropout: identitySpec,
  SpatialDropout1D: identitySpec,
  GaussianNoise: identitySpec,
  GaussianDropout: identitySpec,
  AlphaDropout: identitySpec,
  ActivityRegularization: identitySpec,
  Activation: activationSpec,
  ReLU: activationSpec,
  LeakyReLU: activationSpec,
  ELU: activationSpec,
  Softmax: activationSpec,
  Masking: maskingSpec,
  BatchNormalization: batchNormSpec,
  LayerNormalization: layerNormSpec,
  RepeatVector: repeatVectorSpec,
  Flatten: flattenSpec,
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
  GlobalAveragePooling1D: globalPool1DSpec,
  GlobalMaxPooling1D: globalPool1DSpec,
  GlobalAvgPool1D: globalPool1DSpec,
  GlobalMaxPool1D: globalPool1DSpec,
  Conv1D: conv1DSpec,
  Convolution1D: conv1DSpec,
  MaxPooling1D: pool1DSpec,
  AveragePooling1D: pool1DSpec,
  MaxPool1D: pool1DSpec,
  AvgPool1D: pool1DSpec,
};

export function getSpec(className: string): LayerSpec | undefined {
  return Object.hasOwn(REGISTRY, className) ? REGISTRY[className] : undefined;
}
useRegistry(getSpec);

/** Classes with a registry entry (the architecture test checks that no other module names one). */
export function registeredClasses(): string[] {
  return Object.keys(REGISTRY);
}
