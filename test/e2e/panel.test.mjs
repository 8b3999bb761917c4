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
import { ROOT, launchBrowser, panelFrame, runCommand, startCodeServer, waitForWorkbench, log } from '../../scripts/e2e/lib.mjs';

const OUT = path.join(ROOT, 'test-output');
const SHOTS = path.join(OUT, 'screenshots');
const WORKSPACE = path.join(OUT, 'e2e-panel-workspace');
const RUN = path.join(OUT, 'e2e-panel-run');
const fx = (...p) => path.join(ROOT, 'test', 'fixtures', ...p);
const expectedOf = (c) => JSON.parse(fs.readFileSync(fx('keras', c, 'expected.json'), 'utf8'));
const SEQ2SEQ = 'delladeldel__LSTM-Seq2Seq__my_model.keras';

function makeWorkspace() {
  fs.rmSync(WORKSPACE, { recursive: true, force: true });
  for (const [dir, c, files] of [
    ['stacked', 'stacked', ['model.keras', 'X.npy', 'Y.npy']],
    ['bidir', 'bidir_concat', ['model.keras', 'X.npy', 'Y.npy']],
    ['lstm2', 'lstm_stacked', ['model.keras', 'X.npy', 'Y.npy']],
  ]) {
    fs.mkdirSync(path.join(WORKSPACE, dir), { recursive: true });
    for (const f of files) fs.copyFileSync(fx('keras', c, f), path.join(WORKSPACE, dir, f));
  }
  const s2s = path.join(WORKSPACE, 'seq2seq');
  fs.mkdirSync(s2s, { recursive: true });
  for (const f of ['my_model.keras', 'X0.npy', 'X1.npy', 'Y.npy']) fs.copyFileSync(fx('corpus', SEQ2SEQ, f), path.join(s2s, f));
}

let server;
let browser;
let page;
const frame = () => panelFrame(page);

/** Switches the colour theme by writing the profile's settings (the workbench applies it live). */
async function setTheme(name) {
  const file = path.join(RUN, 'udd', 'User', 'settings.json');
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (s['workbench.colorTheme'] === name) return;
  s['workbench.colorTheme'] = name;
  fs.writeFileSync(file, JSON.stringify(s, null, 2));
  await page.waitForTimeout(1500);
}

/** One screenshot in the dark theme and one in the light theme. */
async function shots(name) {
  await page.screenshot({ path: path.join(SHOTS, `panel-${name}-dark.png`) });
  await setTheme('Default Light Modern');
  await page.screenshot({ path: path.join(SHOTS, `panel-${name}-light.png`) });
  await setTheme('Default Dark Modern');
}

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

/** Every card's badge equals its row of the summary table. */
async function assertBadgesEqualRows() {
  const f = frame();
  const cards = await f.locator('article.card').evaluateAll((els) => els.map((e) => [e.getAttribute('data-layer'), e.querySelector('.badge')?.getAttribute('data-params')]));
  assert.ok(cards.length > 0);
  for (const [name, params] of cards) {
    const row = await f.locator(`table.summary tr[data-layer="${name}"] td[data-params]`).getAttribute('data-params');
    assert.equal(params, row, `badge of ${name}`);
  }
  return cards;
}

describe('panel', () => {
  test('stacked SimpleRNN: layer 2 reads M⁽¹⁾ (not D), every letter in the legend, badges = summary rows', { timeout: 90_000 }, async () => {
    const e = expectedOf('stacked');
    await open('stacked', 'model.keras');
    const f = frame();
    const [l1, l2, out] = e.layers;
    const row = async (layer, sym) => (await f.locator(`article.card[data-layer="${layer}"] tr[data-symbol="${sym}"]`).innerText()).replace(/\s+/g, ' ').trim();
    assert.equal(await row(l2.name, 'Wx⁽²⁾'), `Wx⁽²⁾ M⁽¹⁾×M⁽²⁾ (${l2.weights[0].shape.join(', ')}) ${l2.weights[0].shape[0] * l2.weights[0].shape[1]} ${l2.weights[0].name}`);
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
    const cards = await assertBadgesEqualRows();
    assert.equal(cards.length, 3);
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
    await assertBadgesEqualRows();
    await f.locator(`article.card[data-layer="${bi.name}"] .equations`).scrollIntoViewIfNeeded();
    await shots('bidirectional-card');
  });
});
