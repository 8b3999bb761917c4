// Shared harness for `npm start` and the e2e tests: package the extension, start code-server with
// it installed (bound to 127.0.0.1, no auth), drive Debian's chromium with playwright-core.
// Recipe and pitfalls: ../shared/e2e/README.md.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CS_BIN = path.join(ROOT, '.e2e', 'cs', 'node_modules', '.bin', 'code-server');
export const VSIX = path.join(ROOT, 'rnn-inspector.vsix');
export const CHROMIUM = process.env.CHROMIUM_PATH || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

export function log(...a) {
  console.log('[e2e]', ...a);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs the one-time setup (installs only what is missing). */
export function ensureSetup() {
  execFileSync('bash', [path.join(ROOT, 'scripts/e2e/setup.sh')], { stdio: 'inherit' });
}

/** Production build + .vsix, unless `fresh` is false and the .vsix is newer than dist/. */
export function packageVsix() {
  const t0 = Date.now();
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const size = fs.statSync(VSIX).size;
  log(`packaged ${path.relative(ROOT, VSIX)} (${(size / 1024 / 1024).toFixed(2)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return size;
}

/**
 * Starts code-server with the .vsix installed in a fresh profile under runDir.
 * Returns { port, url, stop() }.
 */
export async function startCodeServer({ runDir, workspace, port, vsix = VSIX, install = true }) {
  if (!fs.existsSync(CS_BIN)) throw new Error(`code-server is not installed (${CS_BIN}); run scripts/e2e/setup.sh`);
  const udd = path.join(runDir, 'udd');
  const exts = path.join(runDir, 'exts');
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(udd, 'User'), { recursive: true });
  fs.mkdirSync(exts, { recursive: true });
  fs.writeFileSync(
    path.join(udd, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        'workbench.tips.enabled': false,
        'workbench.editor.enablePreview': false,
        'git.openRepositoryInParentFolders': 'never',
        'git.autoRepositoryDetection': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'workbench.colorTheme': process.env.E2E_THEME || 'Default Dark Modern',
        'window.commandCenter': false,
        'chat.commandCenter.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
      },
      null,
      2,
    ),
  );
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(runDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(runDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(runDir, 'xdg-cache'),
  };
  const common = ['--user-data-dir', udd, '--extensions-dir', exts];
  if (install) {
    execFileSync(CS_BIN, [...common, '--install-extension', vsix, '--force'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  }
  port = port ?? (await freePort());
  const out = fs.openSync(path.join(runDir, 'code-server.log'), 'a');
  const child = spawn(
    CS_BIN,
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      ...common,
      workspace,
    ],
    { env, detached: true, stdio: ['ignore', out, out] },
  );
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}); see ${runDir}/code-server.log`);
    if (Date.now() > deadline) throw new Error('code-server did not answer /healthz within 30 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    url,
    pid: child.pid,
    stop() {
      // Kill the whole process group: file watchers and extension hosts are children.
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  };
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  if (!CHROMIUM) throw new Error('Debian chromium not found (apt-get install chromium)');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Waits for the workbench to be usable. */
export async function waitForWorkbench(page) {
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.statusbar', { timeout: 60_000 });
  await page.waitForTimeout(1500);
  await waitForExtension(page);
}

/**
 * Waits until the workbench knows the extension's contributions (its commands are in the palette).
 * On a loaded machine code-server scans extensions late, and a model clicked before that opens in
 * the text editor ("binary file") instead of the inspector.
 */
export async function waitForExtension(page, timeoutMs = 90_000) {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Copy NumPy Replication' }).first();
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    await page.click('.part.editor', { position: { x: 5, y: 5 } }).catch(() => {});
    for (let i = 0; i < 10 && !(await input.isVisible()); i++) {
      await page.keyboard.press('F1');
      await page.waitForTimeout(300);
    }
    await input.fill('>RNN Inspector: Copy NumPy Replication');
    const found = await row.waitFor({ timeout: 3_000 }).then(() => true, () => false);
    await page.keyboard.press('Escape');
    if (found) return;
    await page.waitForTimeout(1_000);
  }
  throw new Error(`the RNN Inspector extension did not load within ${timeoutMs / 1000} s`);
}

/** Runs a command from the palette by its title. */
export async function runCommand(page, title) {
  await page.click('.part.editor', { position: { x: 5, y: 5 } }).catch(() => {});
  const input = page.locator('.quick-input-widget input');
  for (let i = 0; i < 10 && !(await input.isVisible()); i++) {
    await page.keyboard.press('F1');
    await page.waitForTimeout(300);
  }
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** The inspector's content frame (the active custom editor's webview). */
export function panelFrame(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/** Writes a float64 .npy (C order). */
export function writeNpy(file, shape, data) {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93]).copy(head, 0);
  head.write('NUMPY', 1, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(new Float64Array(data).buffer);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

/** Reads a little-endian float32/float64 .npy (enough for the fixtures' Y.npy). */
export function readNpy(file) {
  const b = fs.readFileSync(file);
  const hlen = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hlen).toString('latin1');
  const descr = header.match(/'descr':\s*'([^']+)'/)[1];
  const shape = header.match(/'shape':\s*\(([^)]*)\)/)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const raw = b.subarray(10 + hlen);
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const data = descr === '<f4' ? Array.from(new Float32Array(buf)) : Array.from(new Float64Array(buf));
  return { shape, data };
}

/**
 * The e2e workspace, rebuilt each run from the fixtures made by real Keras (test/fixtures), laid out
 * like examples/: seed-simplernn/model.h5 with X.npy / Y.npy and a wrong_predictions.npy whose
 * sample 3 is off, a JSON dump, and broken files.
 */
export function makeWorkspace(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  const fx = (...p) => path.join(ROOT, 'test', 'fixtures', ...p);
  const seed = path.join(dir, 'seed-simplernn');
  fs.mkdirSync(seed, { recursive: true });
  for (const f of ['model.h5', 'model.keras', 'X.npy', 'Y.npy']) fs.copyFileSync(fx('keras', 'seed_n15', f), path.join(seed, f));
  const y = readNpy(fx('keras', 'seed_n15', 'Y.npy'));
  const K = y.shape[1];
  y.data[3 * K + 1] += 0.5;
  writeNpy(path.join(seed, 'wrong_predictions.npy'), y.shape, y.data);
  const json = path.join(dir, 'json');
  fs.mkdirSync(json, { recursive: true });
  fs.copyFileSync(fx('json', 'notebook_dump.json'), path.join(json, 'notebook_dump.json'));
  for (const f of ['X.npy', 'Y.npy']) fs.copyFileSync(fx('keras', 'seed_n15', f), path.join(json, f));
  for (const c of ['lstm', 'bidir_concat']) {
    const d = path.join(dir, 'gated', c);
    fs.mkdirSync(d, { recursive: true });
    for (const f of ['model.h5', 'X.npy', 'Y.npy']) fs.copyFileSync(fx('keras', c, f), path.join(d, f));
  }
  const bad = path.join(dir, 'bad');
  fs.mkdirSync(bad, { recursive: true });
  for (const f of ['truncated.h5', 'plain.h5', 'corrupt.keras']) fs.copyFileSync(fx('bad', f), path.join(bad, f));
  return dir;
}

const themes = new WeakMap();

/**
 * Switches VS Code's colour theme through the palette (not runCommand: "Preferences: Browse Color
 * Themes in Marketplace" also contains the title); nothing to do when `name` is already on. A page
 * starts in Dark Modern (code-server's default).
 */
export async function setColorTheme(page, name) {
  if ((themes.get(page) ?? 'Dark Modern') === name) return;
  await page.click('.part.editor', { position: { x: 5, y: 5 } }).catch(() => {});
  const input = page.locator('.quick-input-widget input');
  for (let i = 0; i < 10 && !(await input.isVisible()); i++) {
    await page.keyboard.press('F1');
    await page.waitForTimeout(300);
  }
  await input.fill('>Preferences: Color Theme');
  await page.locator('.quick-input-list .monaco-list-row').filter({ hasNotText: 'Browse' }).filter({ hasText: 'Preferences: Color Theme' }).first().click();
  await page.waitForTimeout(500);
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  themes.set(page, name);
  await page.waitForTimeout(1200);
}

/** One screenshot in the dark theme and one in the light theme: `${prefix}-${name}-dark.png` / `-light.png` in `dir`. */
export async function shotsInBothThemes(page, dir, prefix, name) {
  await page.screenshot({ path: path.join(dir, `${prefix}-${name}-dark.png`) });
  await setColorTheme(page, 'Light Modern');
  await page.screenshot({ path: path.join(dir, `${prefix}-${name}-light.png`) });
  await setColorTheme(page, 'Dark Modern');
}
