// End-to-end test of the panel's "Gradients" section (the backward pass) in code-server + chromium:
// open a Keras LSTM model whose sidecars are the inputs and targets of a gradient fixture
// (test/fixtures/gradients/lstm, made by TensorFlow's GradientTape in float64), compute the
// gradients with the expected predictions as targets, and compare the loss and ‖dL/dWx‖ shown with
// TensorFlow's; the finite-difference check passes, one SGD step lowers the loss, the ‖∂L/∂h_t‖
// chart and one heatmap per gradient are drawn. Screenshots in the dark and the light theme.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, launchBrowser, panelFrame, startCodeServer, waitForWorkbench, log } from '../../scripts/e2e/lib.mjs';

const OUT = path.join(ROOT, 'test-output');
const SHOTS = path.join(OUT, 'screenshots');
const WORKSPACE = path.join(OUT, 'e2e-gradients-workspace');
const RUN = path.join(OUT, 'e2e-gradients-run');
const FIX = path.join(ROOT, 'test', 'fixtures', 'gradients', 'lstm');
const tf = JSON.parse(fs.readFileSync(path.join(FIX, 'gradients.json'), 'utf8'));
const norm = (a) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
/** The panel prints six significant digits (src/shared/format.ts fmtNum). */
const sig6 = (x) => Number(x.toPrecision(6));

let server;
let browser;

async function openModel(page) {
  for (const name of ['lstm-gradients', 'model.h5']) {
    const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await page.waitForTimeout(200);
  }
}

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.rmSync(WORKSPACE, { recursive: true, force: true });
  const d = path.join(WORKSPACE, 'lstm-gradients');
  fs.mkdirSync(d, { recursive: true });
  fs.copyFileSync(path.join(FIX, 'model.h5'), path.join(d, 'model.h5'));
  fs.copyFileSync(path.join(FIX, 'X.npy'), path.join(d, 'X.npy'));
  fs.copyFileSync(path.join(FIX, 'T.npy'), path.join(d, 'Y.npy')); // the targets, as the "expected predictions" sidecar
  server = await startCodeServer({ runDir: RUN, workspace: WORKSPACE });
  log(`code-server on ${server.url}`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  server?.stop();
});

test('Gradients section: loss and ‖dL/dWx‖ equal GradientTape, the check passes, SGD lowers the loss (dark and light)', { timeout: 240_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(server.url);
  await waitForWorkbench(page);
  await openModel(page);
  const f = panelFrame(page);
  await f.locator('#grad-h').waitFor({ timeout: 40_000 }).catch(async (e) => {
    await page.screenshot({ path: path.join(SHOTS, 'gradients-00-failed-to-open.png') });
    throw e;
  });
  assert.match(await f.locator('#src-inputs option:checked').textContent(), /X\.npy/);
  assert.match(await f.locator('#src-expected option:checked').textContent(), /Y\.npy/);
  await f.locator('#grad-target').selectOption('expected');
  await f.locator('#grad-loss-name').selectOption('mse');
  await f.locator('#grad-eta').fill('0.05');
  await f.locator('#grad-run').click();
  const loss = f.locator('#grad-loss');
  await loss.waitFor({ timeout: 60_000 });
  const text = (await loss.innerText()).replace(/\s+/g, ' ');
  const m = text.match(/Loss \(mse\) = ([-\d.e+]+); after one SGD step .* η = 0\.05: ([-\d.e+]+)/);
  assert.ok(m, text);
  assert.equal(Number(m[1]), sig6(tf.loss_value), `loss shown ${m[1]}, TensorFlow ${tf.loss_value}`);
  assert.ok(Number(m[2]) < Number(m[1]), `SGD step: ${m[2]} < ${m[1]}`);
  const check = f.locator('#grad-check');
  assert.match(await check.getAttribute('class'), /\bpass\b/);
  assert.match(await check.innerText(), /138 of 138 elements.*≤ 1e-6/);
  assert.ok((await f.locator('canvas.grad-norms').count()) >= 1, '‖∂L/∂h_t‖ chart');
  const weights = f.locator('.grad-weight');
  assert.equal(await weights.count(), tf.gradients.length);
  const wx = (await weights.first().locator('h4').innerText()).replace(/\s+/g, ' ');
  const wxNorm = wx.match(/^dL\/dWx 3×16 \(D×4M\) ‖·‖ = ([-\d.e+]+)/);
  assert.ok(wxNorm, wx);
  assert.equal(Number(wxNorm[1]), sig6(norm(tf.gradients[0].data)), `‖dL/dWx‖ ${wxNorm[1]} vs TensorFlow`);
  assert.ok((await weights.first().locator('canvas.heatmap').count()) >= 4, 'one heatmap per LSTM gate');
  await f.locator('#grad-h').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'gradients-01-dark.png') });
  const top = (loc) => loc.evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await top(f.locator('#grad-status'));
  await page.screenshot({ path: path.join(SHOTS, 'gradients-02-dark-result.png') });
  await top(weights.first());
  await page.screenshot({ path: path.join(SHOTS, 'gradients-03-dark-heatmaps.png') });

  // Copy NumPy BPTT: the button asks the host, which copies the script and says so.
  await f.locator('#grad-copy-bptt').click();
  await page.locator('.notification-toast', { hasText: 'NumPy BPTT' }).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(SHOTS, 'gradients-04-dark-copy-bptt.png') });

  await context.close();

  // The light theme: a second code-server whose user settings pick Light Modern.
  server.stop();
  process.env.E2E_THEME = 'Default Light Modern';
  server = await startCodeServer({ runDir: `${RUN}-light`, workspace: WORKSPACE });
  const lightContext = await browser.newContext({ viewport: { width: 1500, height: 1000 }, deviceScaleFactor: 1 });
  const lp = await lightContext.newPage();
  await lp.goto(server.url);
  await waitForWorkbench(lp);
  await openModel(lp);
  const lf = panelFrame(lp);
  await lf.locator('body.vscode-light').waitFor({ timeout: 40_000 });
  await lf.locator('#grad-target').selectOption('expected');
  await lf.locator('#grad-run').click();
  await lf.locator('#grad-check').waitFor({ timeout: 60_000 });
  assert.match(await lf.locator('#grad-check').getAttribute('class'), /\bpass\b/);
  await top(lf.locator('#grad-status'));
  await lp.screenshot({ path: path.join(SHOTS, 'gradients-04-light-result.png') });
  await top(lf.locator('.grad-weight').first());
  await lp.screenshot({ path: path.join(SHOTS, 'gradients-05-light-heatmaps.png') });
  await lightContext.close();
});
