/**
 * JSON weight files: notebook dumps, weight lists and RNN Inspector JSON with lies: ragged
 * arrays, NaN / Infinity (as JSON text and as strings), strings for numbers, 10,000- and
 * 100,000-deep nesting, shapes of 10^9 elements, __proto__ keys, duplicate keys, odd encodings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Rng } from '../rng';
import { standardRuns, type Env, type Family } from '../types';

type J = any;
const deepText = (n: number) => '['.repeat(n) + '1' + ']'.repeat(n);

interface Lie {
  name: string;
  /** Returns the file's text (or bytes). */
  make(dump: J, list: J): string | Buffer;
  expect?: 'ok' | 'error';
}

const j = (v: J) => JSON.stringify(v);
const inspectorJson = (dump: J, over: J = {}) => ({
  format: 'rnn-inspector',
  version: 1,
  weights: { simple_rnn: [dump.Wx, dump.Wh, dump.bh], dense: [dump.Wo, dump.bo] },
  ...over,
});

const LIES: Lie[] = [
  { name: 'notebook dump (control)', make: (d) => j(d), expect: 'ok' },
  { name: 'weight list (control)', make: (_, l) => j(l), expect: 'ok' },
  { name: 'RNN Inspector JSON (control)', make: (d) => j(inspectorJson(d)), expect: 'ok' },
  { name: 'Wx ragged (a short row)', make: (d) => j({ ...d, Wx: [d.Wx[0].slice(1), ...d.Wx.slice(1)] }), expect: 'error' },
  { name: 'Wx row is a number', make: (d) => j({ ...d, Wx: [5, ...d.Wx.slice(1)] }), expect: 'error' },
  { name: 'Wh mixes lists and numbers', make: (d) => j({ ...d, Wh: [d.Wh[0], 1, d.Wh[2]] }), expect: 'error' },
  { name: 'NaN token in the text', make: (d) => j(d).replace(/-?\d+\.\d+/, 'NaN'), expect: 'error' },
  { name: 'Infinity token in the text', make: (d) => j(d).replace(/-?\d+\.\d+/, 'Infinity'), expect: 'error' },
  { name: '"NaN" as a string', make: (d) => j({ ...d, bh: d.bh.map((_: number, i: number) => (i ? _ : 'NaN')) }), expect: 'error' },
  { name: 'numbers as strings', make: (d) => j({ ...d, bo: d.bo.map(String) }), expect: 'error' },
  { name: '1e400 (overflows to Infinity)', make: (d) => j(d).replace(/-?\d+\.\d+/, '1e400') },
  { name: 'Wx is null', make: (d) => j({ ...d, Wx: null }), expect: 'error' },
  { name: 'Wx is an object', make: (d) => j({ ...d, Wx: { a: 1 } }), expect: 'error' },
  { name: 'Wx is empty', make: (d) => j({ ...d, Wx: [] }), expect: 'error' },
  { name: 'Wx is [[]]', make: (d) => j({ ...d, Wx: [[]] }), expect: 'error' },
  { name: 'Wx 10,000 deep', make: (d) => j(d).replace(/"Wx":\s*\[\[[^\]]*\](,\s*\[[^\]]*\])*\]/, `"Wx": ${deepText(10_000)}`), expect: 'error' },
  { name: 'Wx 100,000 deep', make: (d) => j(d).replace(/"Wx":\s*\[\[[^\]]*\](,\s*\[[^\]]*\])*\]/, `"Wx": ${deepText(100_000)}`), expect: 'error' },
  { name: 'whole file 10,000 deep', make: () => deepText(10_000), expect: 'error' },
  { name: 'weight list 10,000 deep', make: () => `[${deepText(10_000)}]`, expect: 'error' },
  { name: '__proto__ key', make: (d) => `{"__proto__": [[1, 2]], ${j(d).slice(1)}`, },
  { name: 'constructor key', make: (d) => j({ constructor: [[1]], ...d }) },
  { name: 'duplicate key Wx (second is 2×2)', make: (d) => `${j(d).slice(0, -1)}, "Wx": [[1, 2], [3, 4]]}`, expect: 'error' },
  { name: 'activation __proto__', make: (d) => j({ ...d, activation: '__proto__' }), expect: 'error' },
  { name: 'activation toString', make: (d) => j({ ...d, activation: 'toString' }), expect: 'error' },
  { name: 'activation is a number', make: (d) => j({ ...d, activation: 3 }), expect: 'error' },
  { name: 'X ragged', make: (d) => j({ ...d, X: [[[1, 2, 3], [1, 2]]] }), expect: 'error' },
  { name: 'X of the wrong width', make: (d) => j({ ...d, X: [[[1, 2]]] }), expect: 'error' },
  { name: 'Y with null', make: (d) => j({ ...d, X: [[[1, 2, 3]]], Y: [[null, 1]] }), expect: 'error' },
  { name: 'samples.inputs is a string', make: (d) => j(inspectorJson(d, { samples: { inputs: 'x', expected: [] } })) },
  { name: 'samples.inputs 10,000 deep', make: (d) => j(inspectorJson(d)).slice(0, -1) + `, "samples": {"inputs": [${deepText(10_000)}]}}`, expect: 'error' },
  { name: 'weights is a list', make: (d) => j(inspectorJson(d, { weights: [1, 2] })), expect: 'error' },
  { name: 'weights of a layer is a number', make: (d) => j(inspectorJson(d, { weights: { simple_rnn: 5 } })), expect: 'error' },
  { name: 'weights key __proto__', make: (d) => j(inspectorJson(d)).replace('"simple_rnn"', '"__proto__"') },
  { name: 'model_config units 1e9, T 1e9 (10^9-element shapes)', make: (d) => j(inspectorJson(d, { model_config: { class_name: 'Sequential', config: { layers: [{ class_name: 'SimpleRNN', config: { name: 'simple_rnn', units: 1e9, batch_input_shape: [null, 1e9, 1e9] } }, { class_name: 'Dense', config: { name: 'dense', units: 1e9 } }] } } })), expect: 'error' },
  { name: 'to_json with units 1e9 and T 1e9', make: () => j({ class_name: 'Sequential', config: { layers: [{ class_name: 'SimpleRNN', config: { name: 'r', units: 1e9, batch_input_shape: [null, 1e9, 1e9] } }] } }) },
  { name: 'to_json with a 10^18-parameter Dense', make: () => j({ class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { name: 'd', units: 1e9, batch_input_shape: [null, 1e9] } }] } }) },
  { name: 'version is 99', make: (d) => j(inspectorJson(d, { version: 99 })) },
  { name: 'format rnn-inspector without weights', make: () => j({ format: 'rnn-inspector', version: 1 }), expect: 'error' },
  { name: 'null', make: () => 'null', expect: 'error' },
  { name: 'a number', make: () => '42', expect: 'error' },
  { name: 'an empty object', make: () => '{}', expect: 'error' },
  { name: 'an empty list', make: () => '[]', expect: 'error' },
  { name: 'empty file', make: () => '', expect: 'error' },
  { name: 'whitespace only', make: () => '  \n ', expect: 'error' },
  { name: 'a UTF-8 BOM first', make: (d) => '\ufeff' + j(d) },
  { name: 'UTF-16 LE with BOM', make: (d) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(j(d), 'utf16le')]) },
  { name: 'trailing garbage', make: (d) => j(d) + ' garbage', expect: 'error' },
  { name: 'invalid UTF-8 inside a string', make: (d) => Buffer.concat([Buffer.from(j(d).slice(0, -1) + ', "name": "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]) },
  { name: 'a 30 MB list of numbers', make: () => `[${Array(5_000_000).fill('0.5').join(',')}]` },
  { name: 'layer name with terminal escapes', make: (d) => j(inspectorJson(d)).replace('"simple_rnn"', '"\\u001b[2J\\u001b]0;pwned\\u0007"') },
];

function randomLie(rng: Rng): Lie {
  const pos = rng.next();
  const what = rng.pick(['"x"', 'null', '[]', '{}', '-1', '1e308', '[[[[[[1]]]]]]', 'true', '"__proto__"']);
  return {
    name: `a number at ${pos.toFixed(3)} of the text replaced by ${what}`,
    make(d) {
      const t = j(d);
      const nums = [...t.matchAll(/-?\d+\.\d+(e-?\d+)?/g)];
      const m = nums[Math.floor(pos * nums.length)];
      return m ? t.slice(0, m.index) + what + t.slice(m.index! + m[0].length) : t;
    },
  };
}

export const jsonFamily: Family = {
  name: 'json',
  weight: 10,
  fixed: LIES.length,
  make(index, rng, env) {
    const lie = index < LIES.length ? LIES[index] : randomLie(rng);
    return {
      name: lie.name,
      build(d) {
        const dump = JSON.parse(fs.readFileSync(path.join(env.fixtures, 'json', 'notebook_dump.json'), 'utf8'));
        const list = JSON.parse(fs.readFileSync(path.join(env.fixtures, 'json', 'weight_list.json'), 'utf8'));
        const file = path.join(d.model, 'weights.json');
        fs.writeFileSync(file, lie.make(dump, list));
        const archOnly = /^to_json/.test(lie.name);
        return { runs: archOnly ? [['summary', file]] : standardRuns(file, false), expect: lie.expect ?? 'any' };
      },
    };
  },
};
