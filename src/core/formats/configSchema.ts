/**
 * Checking what a model config says before anything uses it: the limits (docs/errors.md, "Configs,
 * graphs and JSON"), the nesting depth of any JSON value (walked iteratively), and the type of
 * every layer setting the core reads. A config that lies ends here in one clear message naming the
 * layer and the setting, never later in a raw JavaScript error or in a summary that looks fine.
 * Problems are thrown without a file name (openModel names the file).
 */
import { InspectorError } from '../model';
import { MAX_RANK } from '../files';

/** How deep objects and lists may nest in a JSON file or a model config. */
export const MAX_JSON_DEPTH = 100;
/** How deep wrappers (Bidirectional, TimeDistributed) may wrap one another. */
export const MAX_WRAPPER_DEPTH = 8;
/** Layers in one model config, wrapped layers included. */
export const MAX_LAYERS = 250_000;
/** Calls (inbound nodes) of one layer. */
export const MAX_CALLS = 10_000;
/** Largest units / filters / vocabulary / sequence length or any other size a config may give. */
export const MAX_UNITS = 10_000_000;
/** Axes of a shape in a config or a weight, and values of one weight: the containers' limits (files.ts). */
export { MAX_RANK, MAX_TENSOR_ELEMENTS as MAX_WEIGHT_ELEMENTS } from '../files';

type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as the user would recognise it in their file (short). */
export function show(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v);
  if (Array.isArray(v)) return v.length <= 6 && v.every((x) => x === null || typeof x !== 'object') ? `[${v.map((x) => (x === null ? 'null' : show(x))).join(', ')}]` : `a list of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** Throws when `value` nests objects / lists deeper than `limit` (an iterative walk: no recursion). */
export function checkDepth(value: unknown, what: string, limit = MAX_JSON_DEPTH): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > limit) throw new InspectorError('', `${what} is nested deeper than ${limit} levels`);
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
    } else {
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        const x = (v as Json)[k];
        if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
      }
    }
  }
}

/** A name that would hit Object.prototype when used as a table key ("__proto__", "constructor"…). */
export const isPrototypeName = (s: string): boolean => s === '__proto__' || s === 'prototype' || s in Object.prototype;

// ---------------------------------------------------------------- accessors

/** A string setting; `optional` lets it be missing or null. */
export function str(o: Json, key: string, where: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw new InspectorError('', `${where}: ${key} is ${show(v)}, not a string`);
  }
  if (typeof v !== 'string') throw new InspectorError('', `${where}: ${key} is ${show(v)}, not a string`);
  return v;
}

/** A whole number within [min, max]. */
export function intValue(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InspectorError('', `${what} is ${show(v)}, not a number`);
  if (!Number.isInteger(v)) throw new InspectorError('', `${what} is ${v}, not a whole number`);
  if (v < min) throw new InspectorError('', `${what} is ${v}, less than ${min}`);
  if (v > max) throw new InspectorError('', `${what} is ${v}, more than ${max}`);
  return v;
}

/** An integer setting (absent → undefined; null allowed only when `nullable`). */
export function int(o: Json, key: string, where: string, opts: { min?: number; max?: number; nullable?: boolean } = {}): number | null | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (v === null && opts.nullable) return null;
  return intValue(v, `${where}: ${key}`, opts.min ?? 1, opts.max ?? MAX_UNITS);
}

// ---------------------------------------------------------------- layer settings

/** Sizes: a whole number from 1 to MAX_UNITS (null not allowed: Keras always writes them). */
const SIZES = ['units', 'filters', 'nb_filter', 'n', 'num_heads', 'groups'];
/** Sizes that may be null / None. */
const NULLABLE_SIZES = ['input_dim', 'input_length', 'key_dim', 'value_dim', 'output_dim'];
/** An int or a list of ints (kernel_size=3 or (3,)), each from 1 to MAX_UNITS, or null. */
const SIZE_TUPLES = ['kernel_size', 'strides', 'pool_size', 'dilation_rate', 'size', 'pool_length', 'filter_length', 'subsample_length'];
/** true / false (null taken as "not set"). */
const FLAGS = ['return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll', 'use_bias', 'reset_after', 'mask_zero', 'time_major', 'center', 'scale', 'causal', 'use_scale', 'keepdims', 'trainable', 'bias'];
/** Activation settings: a name, null, or a serialized activation object. */
const ACTIVATIONS = ['activation', 'recurrent_activation', 'inner_activation'];
/** Shapes: a list of dims (each null or 0…MAX_UNITS), at most MAX_RANK long. */
const SHAPES = ['batch_shape', 'batch_input_shape', 'input_shape'];
/** Numbers (finite). */
const NUMBERS = ['rate', 'epsilon', 'momentum', 'mask_value', 'dropout', 'recurrent_dropout', 'stddev'];

function checkShape(v: unknown, what: string, minDim: number): void {
  if (!Array.isArray(v)) throw new InspectorError('', `${what} is ${show(v)}, not a list of sizes`);
  if (v.length > MAX_RANK) throw new InspectorError('', `${what} has ${v.length} axes, more than ${MAX_RANK}`);
  v.forEach((d, i) => {
    if (d !== null) intValue(d, `${what}[${i}]`, minDim, MAX_UNITS);
  });
}

/**
 * Type-checks the settings of one layer config (after Keras 1 keys are renamed) that the core
 * reads. `where` names the layer: `layer "lstm_1"`.
 */
export function checkLayerConfig(config: Json, where: string): void {
  for (const key of SIZES) if (config[key] !== undefined) int(config, key, where);
  for (const key of NULLABLE_SIZES) if (config[key] !== undefined) int(config, key, where, { nullable: true });
  for (const key of SIZE_TUPLES) {
    const v = config[key];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) checkShape(v, `${where}: ${key}`, 1);
    else intValue(v, `${where}: ${key}`, 1, MAX_UNITS);
  }
  for (const key of FLAGS) {
    const v = config[key];
    if (v !== undefined && v !== null && typeof v !== 'boolean' && v !== 0 && v !== 1) throw new InspectorError('', `${where}: ${key} is ${show(v)}, not true or false`);
  }
  for (const key of ACTIVATIONS) {
    const v = config[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string') {
      if (isPrototypeName(v) || v.length > 200) throw new InspectorError('', `${where}: ${key} ${show(v)} is not an activation Keras knows`);
    } else if (isObject(v)) {
      if (v.class_name !== undefined && typeof v.class_name !== 'string') throw new InspectorError('', `${where}: ${key} has a class_name that is ${show(v.class_name)}, not a string`);
      if (typeof v.class_name === 'string' && isPrototypeName(v.class_name)) throw new InspectorError('', `${where}: ${key} ${show(v.class_name)} is not an activation Keras knows`);
      if (typeof v.config === 'string' && isPrototypeName(v.config)) throw new InspectorError('', `${where}: ${key} ${show(v.config)} is not an activation Keras knows`);
    } else throw new InspectorError('', `${where}: ${key} is ${show(v)}, not an activation name`);
  }
  for (const key of SHAPES) if (config[key] !== undefined && config[key] !== null) checkShape(config[key], `${where}: ${key}`, 0);
  for (const key of NUMBERS) {
    const v = config[key];
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v))) throw new InspectorError('', `${where}: ${key} is ${show(v)}, not a number`);
  }
  if (typeof config.rate === 'number' && (config.rate < 0 || config.rate > 1)) throw new InspectorError('', `${where}: rate is ${config.rate}, not between 0 and 1`);
  if (config.merge_mode !== undefined && config.merge_mode !== null) {
    const m = config.merge_mode;
    if (typeof m !== 'string' || !['concat', 'sum', 'mul', 'ave'].includes(m)) throw new InspectorError('', `${where}: merge_mode is ${show(m)}, not one of concat, sum, mul, ave or None`);
  }
  const axis = config.axis;
  if (axis !== undefined && axis !== null) {
    const axes = Array.isArray(axis) ? axis : [axis];
    if (axes.length > MAX_RANK) throw new InspectorError('', `${where}: axis lists ${axes.length} axes, more than ${MAX_RANK}`);
    axes.forEach((a) => intValue(a, `${where}: axis`, -MAX_RANK, MAX_RANK));
  }
  if (config.target_shape !== undefined && config.target_shape !== null) {
    checkShape(config.target_shape, `${where}: target_shape`, -1);
  }
  if (config.dims !== undefined && config.dims !== null) checkShape(config.dims, `${where}: dims`, 1);
  for (const key of ['layer', 'backward_layer']) {
    const v = config[key];
    if (v !== undefined && v !== null && !isObject(v)) throw new InspectorError('', `${where}: the wrapped ${key} is ${show(v)}, not a layer config`);
  }
}
