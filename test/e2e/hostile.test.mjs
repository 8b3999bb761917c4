// Hostile files in the panel, in a real VS Code (code-server + Debian chromium):
// (a) a file too slow to open within the time budget (set low through the setting
//     rnnInspector.openTimeoutSeconds): the host stays live (its progress notification appears
//     while the worker parses), the panel shows "took longer than … to open"; a cancelled open
//     says so; (b) layer names `<img src=x onerror=alert(1)>` and
//     `</script><script>alert(1)</script>` are shown literally as text, no element, no dialog, and
//     the CSP refuses inline script without the nonce; (c) a good file opens afterwards.
// Screenshots dark and light: test-output/screenshots/hostile-*.png.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { ROOT, launchBrowser, panelFrame, runCommand, startCodeServer, waitForWorkbench, log, setColorTheme, shotsInBothThemes } from '../../scripts/e2e/lib.mjs';

const require = createRequire(import.meta.url);
const { unzipSync } = require('fflate');
const OUT = path.join(ROOT, 'test-output');
const SHOTS = path.join(OUT, 'screenshots');
const WORKSPACE = path.join(OUT, 'e2e-hostile-workspace');
const RUN = path.join(OUT, 'e2e-hostile-run');
const fx = (...p) => path.join(ROOT, 'test', 'fixtures', ...p);
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '</script><script>alert(1)</script>';

/** A stored-entry zip of { name: bytes } (what a .keras archive is). */
function zip(entries) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const n = Buffer.from(name);
    const crc = zlib.crc32(data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(data.length, 18); h.writeUInt32LE(data.length, 22); h.writeUInt16LE(n.length, 26);
    locals.push(h, n, Buffer.from(data));
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20); c.writeUInt32LE(data.length, 24); c.writeUInt16LE(n.length, 28); c.writeUInt32LE(offset, 42);
    central.push(c, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(entries).length, 8); end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** seed_n1's model.keras with its two layers renamed (config only: Keras 3 stores weights by class and counter). */
function hostileNames() {
  const z = unzipSync(fs.readFileSync(fx('keras', 'seed_n1', 'model.keras')));
  let cfg = Buffer.from(z['config.json']).toString('utf8');
  cfg = cfg.replaceAll('"simple_rnn"', JSON.stringify(IMG)).replaceAll('"dense"', JSON.stringify(SCRIPT));
  assert.ok(cfg.includes('onerror'), 'renamed the layers');
  return zip({ 'metadata.json': z['metadata.json'], 'config.json': Buffer.from(cfg), 'model.weights.h5': z['model.weights.h5'] });
}

/** A valid notebook dump padded with a 60 MB unused list: JSON.parse takes seconds, never milliseconds. */
function slowJson(file) {
  const dump = fs.readFileSync(fx('json', 'notebook_dump.json'), 'utf8').trim();
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, `${dump.slice(0, -1)}, "padding": [`);
  const chunk = Array(1 << 20).fill('0.123456789').join(',');
  for (let i = 0; i < 5; i++) fs.writeSync(fd, (i ? ',' : '') + chunk);
  fs.writeSync(fd, ']}');
  fs.closeSync(fd);
}

function settings(s) {
  fs.mkdirSync(path.join(WORKSPACE, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(WORKSPACE, '.vscode', 'settings.json'), JSON.stringify(s, null, 2));
}

function makeWorkspace() {
  fs.rmSync(WORKSPACE, { recursive: true, force: true });
  for (const d of ['slow', 'names', 'good']) fs.mkdirSync(path.join(WORKSPACE, d), { recursive: true });
  slowJson(path.join(WORKSPACE, 'slow', 'slow.h5'));
  fs.writeFileSync(path.join(WORKSPACE, 'names', 'names.keras'), hostileNames());
  for (const f of ['model.h5', 'X.npy', 'Y.npy']) fs.copyFileSync(fx('keras', 'seed_n1', f), path.join(WORKSPACE, 'good', f));
  settings({ 'rnnInspector.openTimeoutSeconds': 2 });
}

let server;
let browser;
let page;
let dialogs = 0;
const frame = () => panelFrame(page);

const setTheme = (name) => setColorTheme(page, name);
const shots = (name) => shotsInBothThemes(page, SHOTS, 'hostile', name);

async function closeEditors() {
  await runCommand(page, 'View: Close All Editors');
  await page.waitForTimeout(400);
}

async function click(...names) {
  await runCommand(page, 'Collapse Folders in Explorer');
  await page.waitForTimeout(300);
  for (const name of names) {
    const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await page.waitForTimeout(150);
  }
}

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  makeWorkspace();
  server = await startCodeServer({ runDir: RUN, workspace: WORKSPACE });
  log(`code-server (hostile) on ${server.url}`);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await page.goto(server.url);
  await waitForWorkbench(page);
});

after(async () => {
  await browser?.close().catch(() => {});
  server?.stop();
  fs.rmSync(path.join(WORKSPACE, 'slow'), { recursive: true, force: true });
});

describe('hostile files in the panel', () => {
  test('(a) a file slower than the time budget: the host stays live, the panel says it took too long', { timeout: 120_000 }, async () => {
    const t0 = Date.now();
    await click('slow', 'slow.h5');
    // The progress notification is posted by the extension host while the worker parses: the host is not blocked.
    const toast = page.locator('.notification-toast', { hasText: 'RNN Inspector: opening slow.h5' });
    await toast.waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'hostile-slow-opening-dark.png') });
    const msg = frame().locator('#error-message');
    await msg.waitFor({ timeout: 30_000 });
    const text = await msg.innerText();
    assert.match(text, /slow\.h5: took longer than 2 s to open, so it was stopped; the file may be damaged or hostile/);
    log(`slow file stopped after ${Date.now() - t0} ms (budget 2 s)`);
    // The editor still responds: the palette runs a command and the explorer answers.
    await runCommand(page, 'Collapse Folders in Explorer');
    await page.locator('.explorer-folders-view .monaco-list-row[aria-label="good"]').waitFor({ timeout: 5_000 });
    await shots('slow');
  });

  test('(a) cancelling a slow open: the panel says it was cancelled', { timeout: 120_000 }, async () => {
    settings({ 'rnnInspector.openTimeoutSeconds': 60 });
    await page.waitForTimeout(1500);
    await closeEditors();
    await click('slow', 'slow.h5');
    const toast = page.locator('.notification-toast', { hasText: 'RNN Inspector: opening slow.h5' });
    await toast.waitFor({ timeout: 20_000 });
    await toast.hover();
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    const msg = frame().locator('#error-message');
    await msg.waitFor({ timeout: 20_000 });
    assert.match(await msg.innerText(), /slow\.h5: opening was cancelled/);
  });

  test('(b) layer names that are HTML and script are shown as text; nothing runs; the CSP needs the nonce', { timeout: 90_000 }, async () => {
    await closeEditors();
    await click('names', 'names.keras');
    const f = frame();
    await f.locator('[data-total="total"]').waitFor({ timeout: 30_000 });
    assert.match(await f.locator('[data-total="total"]').textContent(), /^Total params57\b/);
    const body = await f.locator('body').innerText();
    assert.ok(body.includes(IMG), 'the <img …> name is shown literally');
    assert.ok(body.includes(SCRIPT), 'the </script> name is shown literally');
    assert.equal(await f.locator('img[src="x"], img[onerror]').count(), 0, 'no <img> element was made from a name');
    const scripts = await f.locator('script').evaluateAll((els) => els.map((e) => ({ nonce: e.nonce || e.getAttribute('nonce'), src: e.getAttribute('src'), text: e.textContent })));
    // The only inline script is VS Code's own acquireVsCodeApi shim (allowed by its hash); none carries file text.
    const inline = scripts.filter((s) => !s.src);
    assert.ok(inline.every((s) => s.text.includes('acquireVsCodeApi') && !/alert\(|onerror/.test(s.text)), `inline scripts: ${JSON.stringify(inline).slice(0, 300)}`);
    assert.equal(scripts.filter((s) => s.src).length, 1, 'one script file: dist/webview.js');
    assert.ok(scripts.find((s) => s.src)?.src.endsWith('/dist/webview.js'));
    const csp = await f.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9]+'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /default-src 'none'/);
    // The CSP at work: an inline script added without the nonce does not run.
    const ran = await f.locator('body').evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true;';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 200));
      return window.__inlineRan === true;
    });
    assert.equal(ran, false, 'an inline script without the nonce must not run');
    await page.waitForTimeout(500);
    assert.equal(dialogs, 0, 'no dialog was opened');
    await shots('names');
  });

  test('(c) a good file opens afterwards', { timeout: 90_000 }, async () => {
    settings({ 'rnnInspector.openTimeoutSeconds': 30 });
    await page.waitForTimeout(1500);
    await closeEditors();
    await click('good', 'model.h5');
    const total = frame().locator('[data-total="total"]');
    await total.waitFor({ timeout: 30_000 });
    assert.match(await total.textContent(), /^Total params57\b/);
    await frame().locator('#run').click();
    await frame().locator('#verdict[data-pass="true"]').waitFor({ timeout: 30_000 });
    await shots('good-after');
    assert.equal(dialogs, 0);
  });
});
