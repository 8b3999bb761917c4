// The inspection panel in a real VS Code (code-server 4.100.3 + Debian chromium): notation on a
// stacked model, the Bidirectional card, badges equal to the summary rows, the architecture
// diagram (a node per layer, a shape on every edge), the LSTM step-through, the notebook export
// (run with Python when NumPy is there) and a 900 px window without sideways scrolling.
// Screenshots of every state, dark and light, go to test-output/screenshots/panel-*.png.
// Expected numbers come from the fixtures' expected.json (written by real Keras).
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, launchBrowser, panelFrame, readNpy, runCommand, startCodeServer, waitForWorkbench, log, setColorTheme, shotsInBothThemes } from '../../scripts/e2e/lib.mjs';

const OUT = path.join(ROOT, 'test-output');
const SHOTS = path.join(OUT, 'screenshots');
const WORKSPACE = path.join(OUT, 'e2e-panel-workspace');
const RUN = path.join(OUT, 'e2e-panel-run');
const fx = (...p) => path.join(ROOT, 'test', 'fixtures', ...p);
const expectedOf = (c) => JSON.parse(fs.readFileSync(fx('keras', c, 'expected.json'), 'utf8'));
// A Keras 2 seq2seq training model: encoder LSTM on input 1, decoder LSTM on input 2 started from
// the encoder's h and c (initial_state), Dense on the decoder's sequence.
const SEQ2SEQ = 'Kashdog__NaturalQuery__s2s.h5';

function makeWorkspace() {
  fs.rmSync(WORKSPACE, { recursive: true, force: true });
  for (const [dir, c, files] of [
    ['stacked', 'stacked', ['model.keras', 'X.npy', 'Y.npy']],
    ['bidir', 'bidir_concat', ['model.keras', 'X.npy', 'Y.npy']],
    ['lstm2', 'lstm_stacked', ['model.keras', 'X.npy', 'Y.npy']],
    ['lstmseq', 'lstm_seq_state', ['model.keras', 'X.npy', 'Y0.npy', 'Y1.npy', 'Y2.npy']],
  ]) {
    fs.mkdirSync(path.join(WORKSPACE, dir), { recursive: true });
    for (const f of files) fs.copyFileSync(fx('keras', c, f), path.join(WORKSPACE, dir, f));
  }
  const s2s = path.join(WORKSPACE, 'seq2seq');
  fs.mkdirSync(s2s, { recursive: true });
  for (const f of ['s2s.h5', 'X0.npy', 'X1.npy', 'Y.npy']) fs.copyFileSync(fx('corpus', SEQ2SEQ, f), path.join(s2s, f));
}

let server;
let browser;
let page;
const frame = () => panelFrame(page);

/** Switches the colour theme through the palette (Preferences: Color Theme), as a user does. */
const setTheme = (name) => setColorTheme(page, name);
const shots = (name) => shotsInBothThemes(page, SHOTS, 'panel', name);

async function closeEditors() {
  await runCommand(page, 'View: Close All Editors');
  await page.waitForTimeout(400);
}

async function open(...names) {
  await closeEditors();
  await runCommand(page, 'Collapse Folders in Explorer');
  await page.waitForTimeout(300);
  for (const name of names) {
    const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await page.waitForTimeout(150);
  }
  await frame().locator('[data-total="total"]').waitFor({ timeout: 30_000 });
}

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  makeWorkspace();
  server = await startCodeServer({ runDir: RUN, workspace: WORKSPACE });
  log(`code-server (panel) on ${server.url}`);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  await page.goto(server.url);
  await waitForWorkbench(page);
});

after(async () => {
  await browser?.close().catch(() => {});
  server?.stop();
});

/** Every card's badge equals its row of the summary table (as printed there) and, when given, Keras's count. */
async function assertBadgesEqualRows(expected) {
  const f = frame();
  const cards = await f.locator('article.card').evaluateAll((els) => els.map((e) => [e.getAttribute('data-layer'), e.querySelector('.badge')?.textContent ?? '']));
  assert.ok(cards.length > 0);
  for (const [name, badge] of cards) {
    const row = (await f.locator(`table.summary tr[data-layer="${name}"] td.num`).first().textContent()).replace(/,/g, '');
    assert.equal(badge.replace(/,/g, ''), `${row} params`, `badge of ${name}`);
    const keras = expected?.layers.find((l) => l.name === name);
    if (keras) assert.equal(row, String(keras.params), `summary row of ${name}`);
  }
  return cards;
}

/** The diagram: a node per layer (and per model input / output), a shape label on every edge. */
async function assertDiagram(layers, inputs) {
  const f = frame();
  const svg = f.locator('svg.diagram');
  await svg.waitFor({ timeout: 10_000 });
  const nodes = await svg.locator('g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
  for (const l of layers) assert.ok(nodes.includes(l), `node for ${l} (${nodes.join(', ')})`);
  const edges = await svg.locator('g.edge').evaluateAll((els) => els.map((e) => [e.getAttribute('data-from'), e.getAttribute('data-to'), e.querySelector('text')?.textContent ?? '']));
  assert.ok(edges.length >= layers.length - inputs, `${edges.length} edges`);
  for (const [from, to, label] of edges) assert.match(label, /^([hc]₀ )?\(N(, [^,)]+)*\)( = \(N(, (\d+|None))*\))?$/, `edge ${from} → ${to}: "${label}"`);
  return edges;
}

describe('panel', () => {
  test('stacked SimpleRNN: layer 2 reads M⁽¹⁾ (not D), every letter in the legend, badges = summary rows', { timeout: 90_000 }, async () => {
    const e = expectedOf('stacked');
    await open('stacked', 'model.keras');
    const f = frame();
    const [l1, l2, out] = e.layers;
    const row = async (layer, sym) => (await f.locator(`article.card[data-layer="${layer}"] tr[data-symbol="${sym}"]`).innerText()).replace(/\s+/g, ' ').trim();
    assert.match(await row(l2.name, 'Wx⁽²⁾'), new RegExp(`^Wx⁽²⁾ M⁽¹⁾×M⁽²⁾ \\(${l2.weights[0].shape.join(', ')}\\) ${l2.weights[0].shape[0] * l2.weights[0].shape[1]} `));
    assert.match(await row(l1.name, 'Wx⁽¹⁾'), new RegExp(`^Wx⁽¹⁾ D×M⁽¹⁾ \\(${l1.weights[0].shape.join(', ')}\\)`));
    assert.match(await row(out.name, 'Wo'), new RegExp(`^Wo M⁽²⁾×K \\(${out.weights[0].shape.join(', ')}\\)`));
    const card2 = await f.locator(`article.card[data-layer="${l2.name}"]`).innerText();
    assert.ok(!/\bD×/.test(card2), 'no D in layer 2');
    // The legend defines every letter, with Keras's numbers.
    const value = async (k) => f.locator(`[data-dim="${k}"] .dim-value`).textContent();
    assert.equal(await value('D'), String(e.input_shapes[0][2]));
    assert.equal(await value('M⁽¹⁾'), String(e.rnn_layers[0].units));
    assert.equal(await value('M⁽²⁾'), String(e.rnn_layers[1].units));
    assert.equal(await value('K'), String(e.output_shapes[0][1]));
    // N follows the chosen inputs (X.npy of the sidecars) once run.
    await f.locator('#run').click();
    await f.locator('#verdict[data-pass="true"]').waitFor({ timeout: 30_000 });
    assert.equal(await value('N'), String(e.input_shapes[0][0]));
    const cards = await assertBadgesEqualRows(e);
    assert.equal(cards.length, 3);
    // The diagram: the implicit input, the three layers, the output; shapes in letters and numbers.
    const edges = await assertDiagram(e.layers.map((l) => l.name), 1);
    const label = (from, to) => edges.find(([a, b]) => a === from && b === to)?.[2];
    const [N, T] = ['N', e.input_shapes[0][1]];
    assert.equal(label(l1.name, l2.name), `(N, T, M⁽¹⁾) = (${N}, ${T}, ${e.rnn_layers[0].units})`);
    assert.equal(label(l2.name, out.name), `(N, M⁽²⁾) = (N, ${e.rnn_layers[1].units})`);
    // Enter on a node jumps to its card.
    await f.locator(`svg.diagram g.node[data-node="${l2.name}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    assert.equal(await f.locator(':focus').getAttribute('data-layer'), l2.name);
    await f.locator('svg.diagram').scrollIntoViewIfNeeded();
    await shots('stacked-diagram');
    await f.locator(`article.card[data-layer="${l2.name}"]`).scrollIntoViewIfNeeded();
    await shots('stacked-layer2');
  });

  test('Bidirectional card: equations once, Wo 2M×K with Keras’s numbers once', { timeout: 90_000 }, async () => {
    const e = expectedOf('bidir_concat');
    await open('bidir', 'model.keras');
    const f = frame();
    const dense = e.layers.find((l) => l.class_name === 'Dense');
    const bi = e.layers.find((l) => l.class_name === 'Bidirectional');
    const wo = f.locator('tr[data-symbol="Wo"]');
    assert.equal(await wo.count(), 1, 'Wo shown once');
    assert.match((await wo.innerText()).replace(/\s+/g, ' '), new RegExp(`^Wo 2M×K \\(${dense.weights[0].shape.join(', ')}\\)`));
    const eqs = await f.locator(`article.card[data-layer="${bi.name}"] .equations pre`).getAttribute('aria-label');
    const list = eqs.split('; ');
    assert.equal(new Set(list).size, list.length, 'no equation repeated');
    assert.equal(list.filter((x) => x === 'h_T = [h→_T, h←_1]').length, 1);
    // Under h_T: its width 2M and Keras's number.
    const pre = await f.locator(`article.card[data-layer="${bi.name}"] .equations pre`).innerText();
    assert.match(pre, new RegExp(`h_T = \\[h→_T, h←_1\\]\\n2M\\s+M\\s+M\\n${dense.weights[0].shape[0]}\\s+`));
    // The forward and backward heatmaps have different titles.
    const titles = await f.locator(`article.card[data-layer="${bi.name}"] .figure h4`).allInnerTexts();
    assert.equal(new Set(titles).size, titles.length);
    // The four gates of one tensor share its colour scale; every heatmap is bounded in height.
    const fig = f.locator(`article.card[data-layer="${bi.name}"] .figure`).first();
    await fig.scrollIntoViewIfNeeded();
    await fig.locator('.gate-map canvas').first().waitFor({ timeout: 10_000 });
    const scales = await fig.locator('.scale').allInnerTexts();
    assert.ok(scales.length === 4 && new Set(scales).size === 1, JSON.stringify(scales));
    const heights = await f.locator('canvas.heatmap').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    assert.ok(heights.length > 0 && heights.every((x) => x <= 361), JSON.stringify(heights));
    await assertBadgesEqualRows(e);
    const edges = await assertDiagram(e.layers.map((l) => l.name), 1);
    const units = e.rnn_layers[0].units;
    assert.equal(edges.find(([a, b]) => a === bi.name && b === dense.name)?.[2], `(N, 2M) = (N, ${2 * units})`);
    await f.locator('svg.diagram').scrollIntoViewIfNeeded();
    await shots('bidirectional-diagram');
    await f.locator(`article.card[data-layer="${bi.name}"] .equations`).scrollIntoViewIfNeeded();
    await shots('bidirectional-card');
  });

  test('a two-input seq2seq model: both inputs, the encoder states into the decoder, shapes on every edge', { timeout: 90_000 }, async () => {
    const summary = fs.readFileSync(fx('corpus', SEQ2SEQ, 'summary.txt'), 'utf8');
    await open('seq2seq', 's2s.h5');
    // Layer names as Keras's own summary lists them.
    const names = [...summary.matchAll(/^│ (\w+)(?: \(\w+\))?\s+│ [[(]/gmu)].map((m) => m[1]);
    assert.ok(names.length >= 4, summary);
    const edges = await assertDiagram(names, 2);
    const lstms = names.filter((n) => /lstm/.test(n));
    // The decoder gets three edges from the encoder's side: its input and the two states h, c.
    const intoDecoder = edges.filter(([, b]) => b === lstms[1]);
    const states = intoDecoder.filter(([a]) => a === lstms[0]);
    assert.equal(states.length, 2, JSON.stringify(intoDecoder));
    assert.deepEqual(states.map(([, , t]) => t.slice(0, 3)).sort(), ['c₀ ', 'h₀ ']);
    await assertBadgesEqualRows();
    await frame().locator('svg.diagram').scrollIntoViewIfNeeded();
    await shots('seq2seq-diagram');
  });

  test('step-through of an LSTM: h_t and c_t at every step are Keras’s, with the keyboard', { timeout: 90_000 }, async () => {
    const e = expectedOf('lstm_seq_state');
    const Y0 = readNpy(fx('keras', 'lstm_seq_state', 'Y0.npy')); // (N, T, M): h_t for every t
    const Y2 = readNpy(fx('keras', 'lstm_seq_state', 'Y2.npy')); // (N, M): c_T
    const [, T, M] = Y0.shape;
    await open('lstmseq', 'model.keras');
    const f = frame();
    await f.locator('#src-inputs').selectOption({ label: 'X.npy (sidecar)' }).catch(() => undefined);
    await f.locator('#run').click();
    const table = f.locator('#step-through table.steps');
    await table.first().waitFor({ timeout: 30_000 });
    const sample = Number(await f.locator('#trace-sample').inputValue());
    assert.equal(await f.locator('#step-t').getAttribute('max'), String(T));
    const values = async (term) => (await f.locator(`#step-through tr[data-term="${term}"] td.values`).first().textContent()).replace(/[[\]]/g, ' ').trim().split(/\s+/).map(Number);
    const keras = (arr, off) => Array.from(arr.data.slice(off, off + M));
    const near = (got, want, what) => want.forEach((w, j) => assert.ok(Math.abs(got[j] - w) <= 6e-5, `${what}[${j}]: ${got[j]} vs Keras ${w}`));
    near(await values('h_t'), keras(Y0, (sample * T + 0) * M), 'h_1');
    for (const g of ['i_t (input gate)', 'f_t (forget gate)', 'o_t (output gate)']) assert.ok((await values(g)).every((v) => v > 0 && v < 1), g);
    // → on the slider: t = 2.
    await f.locator('#step-t').focus();
    await page.keyboard.press('ArrowRight');
    await f.locator('#step-label', { hasText: `step 2 of ${T}` }).waitFor({ timeout: 5_000 });
    near(await values('h_t'), keras(Y0, (sample * T + 1) * M), 'h_2');
    near(await values('h_{t-1}'), keras(Y0, (sample * T + 0) * M), 'h_{t-1} at t = 2');
    await f.locator('#step-through').scrollIntoViewIfNeeded();
    await shots('lstm-step-through');
    // End: the last step; c_T is Keras's state output.
    await f.locator('#step-next').focus();
    await page.keyboard.press('End');
    await f.locator('#step-label', { hasText: `step ${T} of ${T}` }).waitFor({ timeout: 5_000 });
    near(await values('h_t'), keras(Y0, (sample * T + T - 1) * M), 'h_T');
    near(await values('c_t'), keras(Y2, sample * M), 'c_T');
    assert.equal(e.rnn_layers[0].units, M);
  });

  test('a 900 px window: no sideways scrolling in any state', { timeout: 120_000 }, async () => {
    await page.setViewportSize({ width: 900, height: 900 });
    try {
      for (const [dir, file, name] of [['stacked', 'model.keras', 'stacked'], ['bidir', 'model.keras', 'bidirectional'], ['seq2seq', 's2s.h5', 'seq2seq'], ['lstmseq', 'model.keras', 'lstm']]) {
        await open(dir, file);
        const f = frame();
        if (name !== 'seq2seq') {
          await f.locator('#run').click();
          await f.locator('#verdict').waitFor({ timeout: 30_000 });
        }
        await page.waitForTimeout(500);
        const [sw, cw, wide] = await f.locator('body').evaluate(() => {
          const cw = document.documentElement.clientWidth;
          // What sticks out, for the message.
          const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > cw + 1).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
          return [document.documentElement.scrollWidth, cw, wide.join(', ')];
        });
        assert.ok(sw <= cw, `${name}: content ${sw} px wide in a ${cw} px panel (${wide})`);
        await f.locator('h1').scrollIntoViewIfNeeded();
        await f.locator('body').evaluate(() => window.scrollTo(0, 0));
        await shots(`900-${name}-top`);
        await f.locator('svg.diagram').scrollIntoViewIfNeeded();
        await shots(`900-${name}-diagram`);
        await f.locator('article.card').first().scrollIntoViewIfNeeded();
        await shots(`900-${name}-card`);
        await f.locator('#fwd-h').scrollIntoViewIfNeeded();
        await shots(`900-${name}-forward`);
      }
    } finally {
      await page.setViewportSize({ width: 1500, height: 1000 });
    }
  });
});
