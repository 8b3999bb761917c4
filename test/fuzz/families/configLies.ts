/**
 * Lies in a Keras model config (the JSON of model_config / config.json / modelTopology): wrong
 * types, null, hostile strings, numbers that are not sizes, deep and wide nesting, cycles and
 * missing layers in functional graphs, duplicate names, units that do not match the weights.
 * Pure JSON in, JSON out; each lie has a name for the report.
 */
import type { Rng } from '../rng';

type J = unknown;
type Obj = Record<string, J>;
const isObj = (v: J): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Every (container, key) in a JSON value, in a fixed order. */
function slots(v: J, out: { parent: Obj | J[]; key: string | number; path: string }[] = [], path = ''): typeof out {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push({ parent: v, key: i, path: `${path}[${i}]` }); slots(x, out, `${path}[${i}]`); });
  else if (isObj(v)) for (const k of Object.keys(v)) { out.push({ parent: v, key: k, path: `${path}.${k}` }); slots(v[k], out, `${path}.${k}`); }
  return out;
}

/** The layer list of a Sequential / Functional config (Keras 2/3 or TF.js), wherever it sits. */
export function layerList(cfg: J): Obj[] | undefined {
  if (!isObj(cfg)) return undefined;
  const c = cfg.config;
  if (Array.isArray(c)) return c as Obj[]; // Keras 1/2 Sequential
  if (isObj(c) && Array.isArray(c.layers)) return c.layers as Obj[];
  if (isObj(cfg.model_config)) return layerList(cfg.model_config);
  return undefined;
}

/**
 * A value nested `n` lists deep. Too deep for JSON.stringify in the harness itself, so it is a
 * marker that serialize() expands in the text.
 */
const deep = (n: number): J => `\u0000DEEP${n}\u0000`;

/** JSON text of a config, deep markers expanded. */
export function serialize(cfg: J): string {
  return JSON.stringify(cfg).replace(/"\\u0000DEEP(\d+)\\u0000"/g, (_, n) => '['.repeat(Number(n)) + '1' + ']'.repeat(Number(n)));
}

const HOSTILE_STRINGS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', '<img src=x onerror=alert(1)>', 'a\nb', '\u001b]0;pwned\u0007\u001b[2J', '../../../etc/passwd', 'x'.repeat(70000), 'NaN', '1e12'];
const HOSTILE_NUMBERS: J[] = [-1, 0, 2.5, 1e12, -1e12, 1e308, 2 ** 53 + 2, '5', null, true, [], {}, 'abc'];

export interface Lie {
  name: string;
  apply(cfg: J): J;
}

const clone = (v: J): J => JSON.parse(JSON.stringify(v));

/** Wrap each recurrent layer in a wrapper (Bidirectional) `depth` times: 2^depth if parsed naively. */
function nestWrapper(cfg: J, depth: number): J {
  const layers = layerList(cfg);
  const i = layers?.findIndex((l) => /RNN|LSTM|GRU/.test(String(l.class_name))) ?? -1;
  if (!layers || i < 0) return cfg;
  let inner: Obj = layers[i];
  for (let k = 0; k < depth; k++) inner = { class_name: 'Bidirectional', config: { name: `bidir_${k}`, layer: inner, merge_mode: 'concat' } };
  layers[i] = { ...inner, name: layers[i].name, inbound_nodes: layers[i].inbound_nodes };
  return cfg;
}

/** A Sequential model of `n` layers (an RNN, then n - 1 cheap Activation layers). */
function sequentialOf(n: number): J {
  const layers: Obj[] = [{ class_name: 'SimpleRNN', config: { name: 'rnn', units: 5, batch_input_shape: [null, 10, 3] } }];
  for (let k = 1; k < n; k++) layers.push({ class_name: 'Activation', config: { name: `a${k}`, activation: 'linear' } });
  return { class_name: 'Sequential', config: { name: 'seq', layers } };
}

/** A Functional chain of `n` layers, listed in reverse order (each layer before its input). */
function reversedChain(n: number): J {
  const t = (from: string) => [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 10, 3], dtype: 'float32', keras_history: [from, 0, 0] } }], kwargs: {} }];
  const layers: Obj[] = [{ class_name: 'InputLayer', config: { batch_shape: [null, 10, 3], dtype: 'float32', name: 'in' }, name: 'in', inbound_nodes: [] }];
  for (let k = 1; k < n; k++) layers.push({ class_name: 'Activation', config: { name: `a${k}`, activation: 'linear' }, name: `a${k}`, inbound_nodes: t(k === 1 ? 'in' : `a${k - 1}`) });
  layers.reverse();
  return { class_name: 'Functional', config: { name: 'chain', layers, input_layers: ['in', 0, 0], output_layers: [`a${n - 1}`, 0, 0] } };
}

function inboundOf(l: Obj): J[] | undefined {
  return Array.isArray(l.inbound_nodes) ? l.inbound_nodes : undefined;
}

/** Makes the first layer with inbound nodes take its input from the last layer (a cycle). */
function cycle(cfg: J): J {
  const layers = layerList(cfg);
  if (!layers || layers.length < 2) return cfg;
  const last = String(layers[layers.length - 1].name);
  const first = layers.find((l) => inboundOf(l)?.length);
  if (!first) return cfg;
  first.inbound_nodes = JSON.parse(JSON.stringify(first.inbound_nodes).replace(/"[A-Za-z_0-9]+"(?=,\s*\d+,\s*\d+)|(?<="keras_history":\s*\[)"[^"]+"/g, `"${last}"`));
  return cfg;
}

function renameInbound(cfg: J, to: string): J {
  const layers = layerList(cfg);
  const l = layers?.slice().reverse().find((x) => inboundOf(x)?.length);
  if (!l) return cfg;
  l.inbound_nodes = JSON.parse(JSON.stringify(l.inbound_nodes).replace(/(?<="keras_history":\s*\[|\[\[)"[^"]+"/g, JSON.stringify(to)));
  return cfg;
}

function setUnits(cfg: J, f: (u: number) => J): J {
  for (const l of layerList(cfg) ?? []) {
    if (isObj(l.config) && typeof l.config.units === 'number') {
      l.config.units = f(l.config.units);
      return cfg;
    }
  }
  return cfg;
}

export const FIXED_LIES: Lie[] = [
  { name: 'config is null', apply: () => null },
  { name: 'config is a number', apply: () => 42 },
  { name: 'config is a list', apply: () => [1, 2, 3] },
  { name: 'layers is null', apply: (c) => { const cc = c as Obj; if (isObj(cc.config)) cc.config.layers = null; else cc.config = null; return c; } },
  { name: 'layers is a string', apply: (c) => { const cc = c as Obj; if (isObj(cc.config)) cc.config.layers = 'dense'; else cc.config = 'dense'; return c; } },
  { name: 'layers is empty', apply: (c) => { const cc = c as Obj; if (isObj(cc.config)) cc.config.layers = []; else cc.config = []; return c; } },
  { name: 'class_name is __proto__', apply: (c) => { const l = layerList(c); if (l?.[1]) l[1].class_name = '__proto__'; return c; } },
  { name: 'class_name is constructor', apply: (c) => { const l = layerList(c); if (l?.[1]) l[1].class_name = 'constructor'; return c; } },
  { name: 'class_name is a number', apply: (c) => { const l = layerList(c); if (l?.[1]) l[1].class_name = 7; return c; } },
  { name: 'a layer is null', apply: (c) => { const l = layerList(c); if (l) l[1] = null as unknown as Obj; return c; } },
  { name: 'a layer config is null', apply: (c) => { const l = layerList(c); if (l?.[1]) l[1].config = null; return c; } },
  { name: 'activation __proto__', apply: (c) => { for (const l of layerList(c) ?? []) if (isObj(l.config) && 'activation' in l.config) l.config.activation = '__proto__'; return c; } },
  { name: 'activation is an object', apply: (c) => { for (const l of layerList(c) ?? []) if (isObj(l.config) && 'activation' in l.config) l.config.activation = { class_name: 'X' }; return c; } },
  { name: 'units 1e12', apply: (c) => setUnits(c, () => 1e12) },
  { name: 'units -1', apply: (c) => setUnits(c, () => -1) },
  { name: 'units 2.5', apply: (c) => setUnits(c, () => 2.5) },
  { name: 'units "5"', apply: (c) => setUnits(c, (u) => String(u)) },
  { name: 'units null', apply: (c) => setUnits(c, () => null) },
  { name: 'units +1 (weights do not match)', apply: (c) => setUnits(c, (u) => u + 1) },
  { name: 'units 0', apply: (c) => setUnits(c, () => 0) },
  { name: 'batch_shape 1e9 time steps', apply: (c) => JSON.parse(JSON.stringify(c).replace(/"batch_(input_)?shape":\s*\[null,\s*\d+/g, '"batch_$1shape": [null, 1000000000')) },
  { name: 'batch_shape negative', apply: (c) => JSON.parse(JSON.stringify(c).replace(/"batch_(input_)?shape":\s*\[null,\s*\d+/g, '"batch_$1shape": [null, -3')) },
  { name: 'batch_shape strings', apply: (c) => JSON.parse(JSON.stringify(c).replace(/"batch_(input_)?shape":\s*\[null,\s*\d+/g, '"batch_$1shape": [null, "ten"')) },
  { name: 'Bidirectional nested 16 deep', apply: (c) => nestWrapper(c, 16) },
  { name: 'Bidirectional nested 24 deep', apply: (c) => nestWrapper(c, 24) },
  { name: 'Bidirectional nested 200 deep', apply: (c) => nestWrapper(c, 200) },
  { name: 'Sequential of 100,000 layers', apply: () => sequentialOf(100_000) },
  { name: 'Functional chain of 20,000 layers in reverse order', apply: () => reversedChain(20_000) },
  { name: 'functional cycle (first layer fed by the last)', apply: cycle },
  { name: 'inbound layer missing', apply: (c) => renameInbound(c, 'no_such_layer') },
  { name: 'inbound layer named __proto__', apply: (c) => renameInbound(c, '__proto__') },
  { name: 'all layers named alike', apply: (c) => { for (const l of layerList(c) ?? []) { l.name = 'same'; if (isObj(l.config)) l.config.name = 'same'; } return c; } },
  { name: 'layer names are HTML and script', apply: (c) => { const ls = layerList(c) ?? []; ls.forEach((l, i) => { const n = i % 2 ? '</script><script>alert(1)</script>' : '<img src=x onerror=alert(1)>'; l.name = n + i; if (isObj(l.config)) l.config.name = n + i; }); return c; } },
  { name: 'config value 10,000 deep', apply: (c) => { const l = layerList(c)?.[1]; if (l && isObj(l.config)) l.config.extra = deep(10_000); return c; } },
  { name: 'inbound_nodes 10,000 deep', apply: (c) => { const l = layerList(c)?.slice(-1)[0]; if (l) l.inbound_nodes = deep(10_000); return c; } },
  { name: 'inbound_nodes is an object', apply: (c) => { const l = layerList(c)?.slice(-1)[0]; if (l) l.inbound_nodes = { a: 1 }; return c; } },
  { name: 'RepeatVector n is code', apply: (c) => { const ls = layerList(c); if (ls) ls.splice(ls.length - 1, 0, { class_name: 'RepeatVector', config: { name: 'rv', n: '1); import os; os.system("echo PWNED") #' }, name: 'rv' }); return c; } },
];

/** A random lie at a random place of the config. */
export function randomLie(rng: Rng): Lie {
  const kind = rng.pick(['null', 'type', 'number', 'string', 'delete']);
  const pick = rng.next();
  const choice = rng.next();
  return {
    name: `${kind} at slot ${pick.toFixed(4)}`,
    apply(cfg) {
      const all = slots(cfg);
      if (!all.length) return null;
      const s = all[Math.floor(pick * all.length)];
      const p = s.parent as Record<string | number, J>;
      const v = p[s.key];
      const at = (xs: readonly J[]): J => xs[Math.floor(choice * xs.length)];
      if (kind === 'null') p[s.key] = null;
      else if (kind === 'delete') { if (Array.isArray(p)) p.splice(s.key as number, 1); else delete p[s.key]; }
      else if (kind === 'number') p[s.key] = at(HOSTILE_NUMBERS);
      else if (kind === 'string') p[s.key] = at(HOSTILE_STRINGS);
      else p[s.key] = typeof v === 'number' ? String(v) : typeof v === 'string' ? 123 : Array.isArray(v) ? { 0: v[0] } : isObj(v) ? [v] : typeof v === 'boolean' ? 'yes' : 0;
      this.name = `${kind} at ${s.path.slice(0, 80)}`;
      return cfg;
    },
  };
}

export function lieFor(index: number, rng: Rng): Lie {
  return index < FIXED_LIES.length ? FIXED_LIES[index] : randomLie(rng);
}

export { clone };
