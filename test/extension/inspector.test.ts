/**
 * Runs inside the real extension host (code-server or a downloaded VS Code): activates the
 * extension, opens fixtures made by real Keras in the custom editor, runs the commands and checks
 * what they produce. Expected numbers come from the fixtures' expected.json (written by Keras).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fixture } from '../core/paths';
import { parseNpy, writeNpy } from '../../src/core/arrays/npy';
import type { InspectorApi } from '../../src/extension/extension';

const EXT_ID = 'rnn-inspector.rnn-inspector';
const viewType = (file: string): string => (file.endsWith('.json') ? 'rnnInspector.jsonInspector' : 'rnnInspector.inspector');
const seedDir = fixture('keras', 'seed_n15');
const expected = JSON.parse(fs.readFileSync(path.join(seedDir, 'expected.json'), 'utf8')) as {
  total_params: number;
  summary_text: string;
  layers: { name: string; class_name: string; params: number; weights: { shape: number[] }[] }[];
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-ext-'));

let api: InspectorApi;

async function openInEditor(file: string): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), viewType(file));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.uri.fsPath === file && input.viewType === viewType(file)) return;
    if (Date.now() > deadline) assert.fail(`the inspector did not open ${file}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('RNN Inspector extension host', () => {
  suiteSetup(async function () {
    this.timeout(60_000);
    const ext = vscode.extensions.getExtension<InspectorApi>(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is installed`);
    api = await ext.activate();
    console.log(`    activation time: ${api.activationMs.toFixed(1)} ms`);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('registers its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['openFile', 'inspectFile', 'verify', 'exportReport', 'copyReplication', 'copyBptt']) {
      assert.ok(all.includes(`rnnInspector.${c}`), `rnnInspector.${c} is registered`);
    }
  });

  test('opens the seeds model.h5 in the custom editor with Keras parameter counts and notation', async () => {
    const file = path.join(seedDir, 'model.h5');
    const t0 = Date.now();
    await openInEditor(file);
    const doc = await api.load(vscode.Uri.file(file));
    console.log(`    model.h5 parsed and summarized in ${Date.now() - t0} ms`);
    assert.equal(doc.state.kind, 'ready', doc.state.kind === 'error' ? doc.state.message : '');
    if (doc.state.kind !== 'ready') return;
    const v = doc.state.view;
    assert.equal(v.totalParams, expected.total_params);
    const rnn = v.layers.find((l) => l.className === 'SimpleRNN');
    const dense = v.layers.find((l) => l.className === 'Dense');
    assert.ok(rnn && dense);
    assert.equal(rnn.params, expected.layers.find((l) => l.class_name === 'SimpleRNN')?.params);
    assert.deepEqual(
      rnn.weights.map((w) => [w.symbol, w.notation, w.shape]),
      [
        ['Wx', 'D×M', [3, 5]],
        ['Wh', 'M×M', [5, 5]],
        ['bh', 'M', [5]],
      ],
    );
    assert.deepEqual(
      dense.weights.map((w) => [w.symbol, w.notation, w.shape]),
      [
        ['Wo', 'M×K', [5, 2]],
        ['bo', 'K', [2]],
      ],
    );
    assert.ok(v.summaryText.includes('Total params: 57'), v.summaryText);
    // The table is the one Keras 3 printed for this file, line for line (the totals differ on
    // purpose: Keras adds the optimizer's variables, the inspector counts the model's weights).
    const kerasTable = expected.summary_text.split('\n').slice(0, 10);
    assert.deepEqual(v.summaryText.split('\n').slice(0, 10), kerasTable);
    assert.ok(api.provider.panelCount(vscode.Uri.file(file)) >= 1, 'a panel is open on the document');
    // The sidecars X.npy / Y.npy are found and preselected.
    assert.ok(v.inputSources.some((s) => s.sidecar && s.path?.endsWith('X.npy')));
    assert.ok(v.expectedSources.some((s) => s.sidecar && s.path?.endsWith('Y.npy')));
  });

  test('Verify Predictions with the sidecars passes', async () => {
    const r = await vscode.commands.executeCommand<import('../../src/shared/messages').RunResult>(
      'rnnInspector.verify',
      vscode.Uri.file(path.join(seedDir, 'model.h5')),
      { quiet: true },
    );
    assert.ok(r?.verify, 'a verification report');
    assert.equal(r.verify.pass, true, JSON.stringify(r.verify));
    assert.equal(r.samples, 15);
    assert.ok(r.verify.outputs[0].maxAbsDiff < 1e-5);
  });

  test('Verify Predictions against wrong predictions fails and names the worst sample', async () => {
    const y = parseNpy(fs.readFileSync(path.join(seedDir, 'Y.npy')));
    const data = Float64Array.from(y.data);
    data[3 * y.shape[1] + 1] += 0.5;
    const wrong = path.join(tmp, 'wrong_predictions.npy');
    fs.writeFileSync(wrong, writeNpy({ shape: y.shape, data }, 'float64'));
    const r = await vscode.commands.executeCommand<import('../../src/shared/messages').RunResult>(
      'rnnInspector.verify',
      vscode.Uri.file(path.join(seedDir, 'model.h5')),
      { inputs: path.join(seedDir, 'X.npy'), expected: wrong, quiet: true },
    );
    assert.ok(r?.verify);
    assert.equal(r.verify.pass, false);
    assert.equal(r.verify.outputs[0].worst?.sample, 3);
  });

  test('Export Report writes the tables and the verification result', async () => {
    const uri = vscode.Uri.file(path.join(seedDir, 'model.h5'));
    await vscode.commands.executeCommand('rnnInspector.verify', uri, { quiet: true });
    const dest = path.join(tmp, 'report.md');
    const written = await vscode.commands.executeCommand<string>('rnnInspector.exportReport', uri, dest);
    assert.equal(written, dest);
    const md = fs.readFileSync(dest, 'utf8');
    assert.match(md, /\| Layer \(type\) \| Output Shape \| Param # \|/);
    assert.match(md, /Total params: 57/);
    assert.match(md, /\| Wx \| D×M \| \(3, 5\) \| 15 \|/);
    assert.match(md, /\| Wo \| M×K \| \(5, 2\) \| 10 \|/);
    assert.match(md, /✓ matches: max \|Δ\| = /);
  });

  test('Copy NumPy Replication puts Python that rebuilds Wx, Wh, bh, Wo, bo on the clipboard', async () => {
    const text = await vscode.commands.executeCommand<string>('rnnInspector.copyReplication', vscode.Uri.file(path.join(seedDir, 'model.h5')));
    assert.ok(text);
    assert.match(text, /Wx, Wh, bh = model\.get_layer\("simple_rnn"\)\.get_weights\(\)/);
    assert.match(text, /Wo, bo = model\.get_layer\("dense"\)\.get_weights\(\)/);
    assert.match(text, /h = ACT\["tanh"\]\(x_t\.dot\(Wx\) \+ h\.dot\(Wh\) \+ bh\)/);
    const clip = await vscode.env.clipboard.readText();
    if (clip) assert.equal(clip, text);
    else console.log('    (clipboard not readable in this host; the returned text was checked)');
  });

  test('Copy NumPy BPTT puts the backward pass by hand on the clipboard, and refuses a model it cannot write', async () => {
    const text = await vscode.commands.executeCommand<string>('rnnInspector.copyBptt', vscode.Uri.file(path.join(seedDir, 'model.h5')));
    assert.ok(text);
    assert.match(text, /Wx, Wh, bh = model\.get_layer\("simple_rnn"\)\.get_weights\(\)/);
    assert.match(text, /for t in reversed\(range\(xs\.shape\[1\]\)\):/);
    assert.match(text, /g\["Wh"\] \+= hs\[t\]\.T @ dhh/);
    assert.match(text, /gradient check: max relative error/);
    const refused = await vscode.commands.executeCommand<string | undefined>('rnnInspector.copyBptt', vscode.Uri.file(fixture('keras', 'misc_layers', 'model.keras')));
    assert.equal(refused, undefined);
  });

  test('a corrupt file shows its error and the editor keeps working', async () => {
    const bad = fixture('bad', 'truncated.h5');
    await openInEditor(bad);
    const doc = await api.load(vscode.Uri.file(bad));
    assert.equal(doc.state.kind, 'error');
    if (doc.state.kind === 'error') assert.ok(doc.state.message.includes('truncated.h5'), doc.state.message);
    const good = path.join(seedDir, 'model.keras');
    await openInEditor(good);
    const ok = await api.load(vscode.Uri.file(good));
    assert.equal(ok.state.kind, 'ready');
    if (ok.state.kind === 'ready') assert.equal(ok.state.view.totalParams, expected.total_params);
  });

  test('a run can be cancelled', async () => {
    const uri = vscode.Uri.file(path.join(seedDir, 'model.h5'));
    const doc = await api.load(uri);
    const request = {
      inputs: { kind: 'random' as const, label: 'random' },
      expected: { kind: 'none' as const, label: 'none' },
      seed: 0,
      samples: 1000,
      timesteps: 10,
      traceSample: 0,
    };
    const run = api.provider.run(doc, request);
    api.provider.cancel(uri);
    await assert.rejects(run, /Cancelled/);
    const ok = await api.provider.run(doc, request);
    assert.equal(ok.samples, 1000);
  });

  test('a model that starts with an Embedding gets integer random inputs in [0, V)', async () => {
    const uri = vscode.Uri.file(fixture('keras', 'embedding_rnn', 'model.h5'));
    const doc = await api.load(uri);
    assert.equal(doc.state.kind, 'ready');
    if (doc.state.kind !== 'ready') return;
    assert.equal(doc.state.view.input.integerVocab, 20);
    const r = await api.provider.run(doc, {
      inputs: { kind: 'random', label: 'random' },
      expected: { kind: 'none', label: 'none' },
      seed: 0,
      samples: 8,
      timesteps: 10,
      traceSample: 0,
    });
    assert.match(r.inputsLabel, /np\.random\.randint\(0, 20, size=\(8, 6\)\)/);
    const x = doc.lastRun?.inputs[0];
    assert.ok(x && x.data.every((v) => Number.isInteger(v) && v >= 0 && v < 20));
    assert.deepEqual(r.outputShapes[0].shape, [8, 2]);
  });

  test('the tolerance settings decide pass / fail', async () => {
    const y = parseNpy(fs.readFileSync(path.join(seedDir, 'Y.npy')));
    const data = Float64Array.from(y.data);
    data[1] += 0.5;
    const off = path.join(tmp, 'off_by_half.npy');
    fs.writeFileSync(off, writeNpy({ shape: y.shape, data }, 'float64'));
    const cfg = vscode.workspace.getConfiguration('rnnInspector');
    const args = { inputs: path.join(seedDir, 'X.npy'), expected: off, quiet: true };
    const uri = vscode.Uri.file(path.join(seedDir, 'model.h5'));
    await cfg.update('tolerance.atol', 1, vscode.ConfigurationTarget.Global);
    try {
      const r = await vscode.commands.executeCommand<import('../../src/shared/messages').RunResult>('rnnInspector.verify', uri, args);
      assert.equal(r?.verify?.atol, 1);
      assert.equal(r?.verify?.pass, true);
    } finally {
      await cfg.update('tolerance.atol', undefined, vscode.ConfigurationTarget.Global);
    }
    const r = await vscode.commands.executeCommand<import('../../src/shared/messages').RunResult>('rnnInspector.verify', uri, args);
    assert.equal(r?.verify?.pass, false);
  });

  test('the document reloads when the file changes on disk', async () => {
    // Inside the workspace when there is one (where VS Code's watcher is recursive and reliable).
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const file = path.join(ws && fs.existsSync(ws) ? ws : tmp, 'changing.h5');
    fs.copyFileSync(path.join(seedDir, 'model.h5'), file);
    const uri = vscode.Uri.file(file);
    await openInEditor(file);
    const doc = await api.load(uri);
    assert.equal(doc.state.kind === 'ready' && doc.state.view.totalParams, 57);
    const lstm = JSON.parse(fs.readFileSync(fixture('keras', 'lstm', 'expected.json'), 'utf8')) as { total_params: number };
    const changed = new Promise<void>((resolve) => {
      const sub = doc.onDidChange(() => {
        if (doc.state.kind === 'ready' && doc.state.view.totalParams === lstm.total_params) {
          sub.dispose();
          resolve();
        }
      });
    });
    await new Promise((r) => setTimeout(r, 500)); // let the watcher start
    fs.copyFileSync(fixture('keras', 'lstm', 'model.h5'), file);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([changed, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no reload within 15 s')), 15_000)))]);
    } finally {
      clearTimeout(timer);
      fs.rmSync(file, { force: true });
    }
  });

  test('Inspect This File opens a JSON weight dump in the inspector', async () => {
    const json = fixture('json', 'notebook_dump.json');
    await vscode.window.showTextDocument(vscode.Uri.file(json));
    await vscode.commands.executeCommand('rnnInspector.inspectFile');
    await openInEditor(json);
    const doc = await api.load(vscode.Uri.file(json));
    assert.equal(doc.state.kind, 'ready', doc.state.kind === 'error' ? doc.state.message : '');
    if (doc.state.kind === 'ready') assert.equal(doc.state.view.totalParams, expected.total_params);
  });
});
