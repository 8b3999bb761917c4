/**
 * Open as Jupyter Notebook, inside the real extension host: the command writes an nbformat 4
 * notebook replicating the model in NumPy (weights loaded and their shapes printed, the loop, the
 * comparison with the expected predictions); when a Python with NumPy (and Keras, which loads the
 * .h5) is on this machine, its code cells are run and must reproduce Keras's stored predictions
 * (Y.npy, written by real Keras). A model with a layer the replication cannot write is refused.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fixture } from '../core/paths';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-nb-'));

/** A Python that can run the replication of a Keras file: NumPy and Keras importable. */
function python(): string | undefined {
  for (const py of ['/root/tfvenv/bin/python', 'python3']) {
    const r = spawnSync(py, ['-c', 'import numpy, keras'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
    if (r.status === 0) return py;
  }
  return undefined;
}

interface Notebook {
  nbformat: number;
  cells: { cell_type: string; source: string[] }[];
}

suite('Open as Jupyter Notebook', () => {
  suiteTeardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('writes a notebook whose code reproduces Keras’s predictions', async function () {
    this.timeout(180_000);
    const model = fixture('keras', 'seed_n15', 'model.h5');
    const out = path.join(tmp, 'seed.replication.ipynb');
    const written = await vscode.commands.executeCommand<string>('rnnInspector.exportNotebook', vscode.Uri.file(model), out);
    assert.equal(written, out);
    const nb = JSON.parse(fs.readFileSync(out, 'utf8')) as Notebook;
    assert.equal(nb.nbformat, 4);
    const md = nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => c.source.join(''));
    const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join(''));
    assert.ok(md.some((t) => t.startsWith('## The weights')) && md.some((t) => t.startsWith('## The forward pass by hand')), md.join('\n'));
    const all = code.join('\n\n');
    assert.match(all, /print\(name, w\.shape\)/);
    assert.match(all, /np\.load\(".*Y\.npy"\)/);
    const py = python();
    if (!py) {
      console.log('    (no Python with NumPy and Keras here: the notebook was checked, not run)');
      return;
    }
    const script = path.join(tmp, 'seed_replication.py');
    fs.writeFileSync(script, all);
    const r = spawnSync(py, [script], { encoding: 'utf8', timeout: 170_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' } });
    assert.equal(r.status, 0, `${py} ${script}\n${r.stdout}\n${r.stderr}`);
    // The shapes Keras stored (expected.json) are printed: Wx (3, 5) …
    const exp = JSON.parse(fs.readFileSync(fixture('keras', 'seed_n15', 'expected.json'), 'utf8')) as { layers: { weights: { shape: number[] }[] }[] };
    const shapes = exp.layers.flatMap((l) => l.weights.map((w) => `(${w.shape.join(', ')}${w.shape.length === 1 ? ',' : ''})`));
    for (const s of shapes) assert.ok(r.stdout.includes(s), `shape ${s} printed\n${r.stdout}`);
    const m = /max \|Δ\| = (\S+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[1]) < 1e-5, `max |Δ| = ${m[1]} against Keras's Y.npy`);
    console.log(`    notebook code run with ${py}: max |Δ| = ${m[1]}`);
  });

  test('refuses, naming the layer, when the replication cannot write it', async () => {
    const model = fixture('keras', 'misc_layers', 'model.keras');
    const out = path.join(tmp, 'misc.replication.ipynb');
    const written = await vscode.commands.executeCommand<string | undefined>('rnnInspector.exportNotebook', vscode.Uri.file(model), out);
    assert.equal(written, undefined);
    assert.ok(!fs.existsSync(out));
  });
});
