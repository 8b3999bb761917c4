/**
 * The notebooks' notation as the core gives it (summarize(): symbols, notation, terms, legend,
 * axes of every output), checked against the shapes real Keras wrote into expected.json: every
 * notation, read with the legend's values, must give the weight's real shape; every letter used
 * must be in the legend; layer 2 of a stacked model reads its input as M⁽¹⁾, not D; a
 * Bidirectional concat feeds Wo 2M×K.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from './paths';
import { openModel } from '../../src/core/formats';
import { summarize, type Summary, type SummaryLayer } from '../../src/core/shapes';

interface Expected {
  layers: { name: string; class_name: string; params: number; weights?: { name: string; shape: number[] }[] }[];
  rnn_layers: { name: string; units: number; layer: string }[];
  input_shapes: number[][];
  output_shapes: number[][];
}

const KERAS = fixture('keras');
const expectedOf = (c: string): Expected => JSON.parse(fs.readFileSync(path.join(KERAS, c, 'expected.json'), 'utf8')) as Expected;
const cases = fs.existsSync(KERAS) ? fs.readdirSync(KERAS).filter((d) => fs.existsSync(path.join(KERAS, d, 'model.keras'))).sort() : [];
const summaryOf = async (c: string): Promise<Summary> => summarize(await openModel(path.join(KERAS, c, 'model.keras')));

/** "M⁽¹⁾×4M⁽²⁾" → [6, 16] with the legend's values; null when a factor is not a legend letter. */
function evaluate(notation: string, s: Summary): number[] | null {
  const values = new Map(s.legend.map((l) => [l.letter, l.value]));
  const dims: number[] = [];
  for (const part of notation.split('×')) {
    const m = /^(\d*)(.*)$/u.exec(part)!;
    const k = m[1] ? Number(m[1]) : 1;
    if (!m[2]) {
      dims.push(k);
      continue;
    }
    const v = values.get(m[2]);
    if (v === undefined || v === null) return null;
    dims.push(k * v);
  }
  return dims;
}

const allLayers = (s: Summary): SummaryLayer[] => s.layers;
const weightsOf = (e: Expected, name: string): number[][] => (e.layers.find((l) => l.name === name)?.weights ?? []).map((w) => w.shape);

test('every weight notation, read with the legend, is the weight shape Keras wrote; every letter is in the legend', async () => {
  assert.ok(cases.length > 20, 'Keras fixture cases present');
  let checked = 0;
  for (const c of cases) {
    const s = await summaryOf(c);
    const e = expectedOf(c);
    for (const l of allLayers(s)) {
      const keras = weightsOf(e, l.name);
      l.weights.forEach((w, i) => {
        if (!w.notation || /^\d+(×\d+)*$/.test(w.notation)) return;
        const got = evaluate(w.notation, s);
        assert.ok(got, `${c} ${l.name} ${w.symbol}: every letter of "${w.notation}" is in the legend (${s.legend.map((x) => x.letter).join(' ')})`);
        // A GRU's two-row bias is written 2×3M; a CuDNN bias 8M: compare element counts there.
        const want = keras[i];
        if (got.length === want.length) assert.deepEqual(got, want, `${c} ${l.name} ${w.symbol} ${w.notation}`);
        else assert.equal(got.reduce((a, b) => a * b, 1), want.reduce((a, b) => a * b, 1), `${c} ${l.name} ${w.symbol} ${w.notation}`);
        checked++;
      });
      // Each term's letters give its numbers.
      for (const [term, t] of Object.entries(l.terms ?? {})) {
        const got = evaluate(t.letters, s);
        if (got && !t.numbers.includes('?')) assert.deepEqual(got, t.numbers.split('×').map(Number), `${c} ${l.name} term ${term}: ${t.letters} = ${t.numbers}`);
      }
    }
  }
  assert.ok(checked > 150, `checked ${checked} weights`);
});

test('stacked SimpleRNN: layer 2 reads M⁽¹⁾ (not D); per-layer superscripts; legend values are Keras units', async () => {
  const e = expectedOf('stacked');
  const s = await summaryOf('stacked');
  const [r1, r2, dense] = s.layers;
  const units = e.rnn_layers.map((r) => r.units);
  assert.deepEqual(r1.weights.map((w) => [w.symbol, w.notation]), [['Wx⁽¹⁾', 'D×M⁽¹⁾'], ['Wh⁽¹⁾', 'M⁽¹⁾×M⁽¹⁾'], ['bh⁽¹⁾', 'M⁽¹⁾']]);
  assert.deepEqual(r2.weights.map((w) => [w.symbol, w.notation]), [['Wx⁽²⁾', 'M⁽¹⁾×M⁽²⁾'], ['Wh⁽²⁾', 'M⁽²⁾×M⁽²⁾'], ['bh⁽²⁾', 'M⁽²⁾']]);
  assert.ok(!r2.weights.some((w) => w.notation?.includes('D')), 'no D in layer 2');
  assert.deepEqual(r2.weights[0].shape, weightsOf(e, r2.name)[0]);
  assert.match(r2.equations![0], /^h⁽²⁾_t = tanh\(h⁽¹⁾_t·Wx⁽²⁾ \+ h⁽²⁾_\{t-1\}·Wh⁽²⁾ \+ bh⁽²⁾\)$/);
  assert.deepEqual(dense.weights.map((w) => [w.symbol, w.notation]), [['Wo', 'M⁽²⁾×K'], ['bo', 'K']]);
  const legend = new Map(s.legend.map((l) => [l.letter, l.value]));
  assert.equal(legend.get('D'), e.input_shapes[0][2]);
  assert.equal(legend.get('T'), e.input_shapes[0][1]);
  assert.equal(legend.get('M⁽¹⁾'), units[0]);
  assert.equal(legend.get('M⁽²⁾'), units[1]);
  assert.equal(legend.get('K'), e.output_shapes[0][1]);
  assert.deepEqual(r1.outputLetters, [['N', 'T', 'M⁽¹⁾']]);
  assert.deepEqual(r2.outputLetters, [['N', 'M⁽²⁾']]);
  assert.deepEqual(s.inputs.map((i) => i.letters), [['N', 'T', 'D']]);
});

test('the seeds’ model keeps plain Wx, Wh, bh, Wo, bo and h_t', async () => {
  const s = await summaryOf('seed_n1');
  assert.deepEqual(s.layers.flatMap((l) => l.weights.map((w) => w.symbol)), ['Wx', 'Wh', 'bh', 'Wo', 'bo']);
  assert.deepEqual(s.layers.flatMap((l) => l.weights.map((w) => w.notation)), ['D×M', 'M×M', 'M', 'M×K', 'K']);
  assert.deepEqual(s.legend.map((l) => l.letter), ['N', 'T', 'D', 'M', 'K']);
});

test('Bidirectional concat: h_T = [h→_T, h←_1] is 2M wide and feeds Wo 2M×K with Keras’s shape; each equation once', async () => {
  const e = expectedOf('bidir_concat');
  const s = await summaryOf('bidir_concat');
  const bi = s.layers.find((l) => l.className === 'Bidirectional')!;
  const dense = s.layers.find((l) => l.className === 'Dense')!;
  assert.deepEqual(dense.weights.map((w) => [w.symbol, w.notation, w.shape]), [
    ['Wo', '2M×K', weightsOf(e, dense.name)[0]],
    ['bo', 'K', weightsOf(e, dense.name)[1]],
  ]);
  assert.equal(new Set(bi.equations).size, bi.equations!.length, 'no equation repeated');
  assert.ok(bi.equations!.includes('h_T = [h→_T, h←_1]'));
  assert.deepEqual(bi.terms!['h_T'], { letters: '2M', numbers: String(weightsOf(e, dense.name)[0][0]) });
  assert.equal(dense.equations![0], 'y = h_T·Wo + bo');
  // Forward and backward tensors have different symbols (so their heatmaps have different titles).
  const symbols = bi.weights.map((w) => w.symbol);
  assert.equal(new Set(symbols).size, symbols.length);
  assert.deepEqual(bi.outputLetters, [['N', '2M']]);
});

test('an Embedding model names V, E; a two-input model subscripts D₁, D₂ and gives each layer its own M', async () => {
  const emb = await summaryOf('embedding_rnn');
  const e = expectedOf('embedding_rnn');
  const we = emb.layers[0].weights[0];
  assert.equal(we.notation, 'V×E');
  assert.deepEqual(evaluate('V×E', emb), weightsOf(e, emb.layers[0].name)[0]);
  assert.equal(emb.layers[1].weights[0].notation, 'E×M');
  const two = await summaryOf('functional_branches');
  const te = expectedOf('functional_branches');
  const legend = new Map(two.legend.map((l) => [l.letter, l.value]));
  assert.equal(legend.get('D₁'), te.input_shapes[0][2]);
  assert.equal(legend.get('D₂'), te.input_shapes[1][2]);
  assert.deepEqual(two.inputs.map((i) => i.letters), [['N', 'T₁', 'D₁'], ['N', 'T₂', 'D₂']]);
});
