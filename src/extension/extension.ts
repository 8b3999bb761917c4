/**
 * Extension entry: registers the read-only inspector editor and the commands. A thin shell: the
 * files are read and computed by src/core; this folder only wires VS Code to it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ArraySource, RunRequest, RunResult } from '../shared/messages';
import { InspectorDocument } from './document';
import { InspectorEditorProvider, VIEW_TYPES, readSettings, viewTypeFor } from './inspectorEditor';
import { markdownReport, verdictLine } from './report';
import { pickArrayFile, asSource } from './pickers';
import { replicationGaps, replicationPython, type ReplicationOptions } from './replication';
import { bpttBody, bpttGaps, bpttPython } from './bptt';
import { replicationNotebook } from './notebook';
import { modelStem } from './sources';
import { notifyText } from '../core';

const OPEN_FILTERS = {
  'Keras weights (.keras, .h5, .weights.h5, .hdf5)': ['keras', 'h5', 'hdf5'],
  'JSON weights / TF.js model.json': ['json'],
};

/** What activate() returns: used by the extension-host tests. */
export interface InspectorApi {
  activationMs: number;
  provider: InspectorEditorProvider;
  /** Opens (or reuses) a document and waits until it is parsed. */
  load(uri: vscode.Uri): Promise<InspectorDocument>;
}

export function activate(context: vscode.ExtensionContext): InspectorApi {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('RNN Inspector', { log: true });
  context.subscriptions.push(log);
  const provider = InspectorEditorProvider.register(context, log);

  /** The file a command acts on: its argument, the active inspector, the active text editor, or a pick. */
  async function target(arg: unknown, title: string): Promise<vscode.Uri | undefined> {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string') return vscode.Uri.file(arg);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (tab instanceof vscode.TabInputCustom && VIEW_TYPES.includes(tab.viewType)) return tab.uri;
    if (provider.activeDocument) return provider.activeDocument.uri;
    const text = vscode.window.activeTextEditor?.document.uri;
    if (text && /\.(json|h5|hdf5|keras)$/i.test(text.path)) return text;
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: OPEN_FILTERS, title });
    return picked?.[0];
  }

  const openInspector = (uri: vscode.Uri): Thenable<unknown> => vscode.commands.executeCommand('vscode.openWith', uri, viewTypeFor(uri));

  /** A run request with the sidecar / stored samples, or undefined sources where none exist. */
  function defaultRequest(doc: InspectorDocument): { request: RunRequest; found: { inputs: boolean; expected: boolean } } {
    const s = readSettings(doc.uri);
    const view = doc.state.kind === 'ready' ? doc.state.view : undefined;
    const firstOf = (list: ArraySource[] | undefined, kinds: string[]): ArraySource | undefined =>
      list?.find((x) => x.kind === 'embedded' || x.sidecar) ?? list?.find((x) => kinds.includes(x.kind));
    const inputs = firstOf(view?.inputSources, ['random']) ?? { kind: 'random', label: 'random' };
    const expected = firstOf(view?.expectedSources, ['none']) ?? { kind: 'none', label: 'none' };
    return {
      request: {
        inputs,
        expected,
        seed: s.defaultSeed,
        samples: s.defaultSamples,
        timesteps: s.defaultTimesteps,
        traceSample: 0,
      },
      found: { inputs: inputs.kind !== 'random', expected: expected.kind !== 'none' },
    };
  }

  async function readyDoc(uri: vscode.Uri): Promise<InspectorDocument | undefined> {
    const doc = await provider.getDocument(uri);
    if (doc.state.kind === 'error') {
      void vscode.window.showErrorMessage(notifyText(doc.state.message));
      return undefined;
    }
    return doc;
  }

  const pickArrays = (doc: InspectorDocument, what: string): Promise<ArraySource | undefined> => pickArrayFile(doc.uri, what);

  /** Verify Predictions…: inputs and expected from the arguments, the sidecars, or dialogs. */
  async function verifyCommand(arg?: unknown, opts?: { inputs?: string; expected?: string; quiet?: boolean }): Promise<RunResult | undefined> {
    const uri = await target(arg, 'Verify predictions of which model?');
    if (!uri) return undefined;
    const doc = await readyDoc(uri);
    if (!doc) return undefined;
    const { request, found } = defaultRequest(doc);
    if (opts?.inputs) request.inputs = asSource(opts.inputs);
    else if (!found.inputs) {
      const src = await pickArrays(doc, 'Inputs the predictions were made from (X)');
      if (!src) return undefined;
      request.inputs = src;
    }
    if (opts?.expected) request.expected = asSource(opts.expected);
    else if (!found.expected) {
      const src = await pickArrays(doc, 'Stored predictions to verify against (Y)');
      if (!src) return undefined;
      request.expected = src;
    }
    let result: RunResult;
    try {
      result = await provider.run(doc, request);
    } catch (e) {
      if (!opts?.quiet) void vscode.window.showErrorMessage(`RNN Inspector: ${notifyText(e instanceof Error ? e.message : String(e))}`);
      return undefined;
    }
    if (!opts?.quiet) {
      const text = notifyText(`${path.basename(uri.fsPath)}: ${verdictLine(result)}`);
      if (result.verify?.pass) void vscode.window.showInformationMessage(text);
      else void vscode.window.showWarningMessage(text);
    }
    return result;
  }

  async function exportReport(arg?: unknown, targetPath?: string): Promise<string | undefined> {
    const uri = await target(arg, 'Export a report for which model?');
    if (!uri) return undefined;
    const doc = await readyDoc(uri);
    if (!doc || doc.state.kind !== 'ready') return undefined;
    // With sidecar inputs and predictions and no run yet, verify first so the report says something.
    if (!doc.lastRun) {
      const { request, found } = defaultRequest(doc);
      if (found.inputs && found.expected) await provider.run(doc, request).catch(() => undefined);
    }
    let dest = targetPath ? vscode.Uri.file(targetPath) : undefined;
    if (!dest) {
      dest = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(doc.uri, '..', `${modelStem(doc.fsPath)}.report.md`),
        filters: { Markdown: ['md'] },
        title: 'Export RNN Inspector report',
      });
      if (!dest) return undefined;
    }
    const md = markdownReport(doc.state.view, doc.lastRun?.result);
    await vscode.workspace.fs.writeFile(dest, new TextEncoder().encode(md));
    log.info(`report for ${doc.fsPath} written to ${dest.fsPath}`);
    if (!targetPath) {
      void vscode.window.showInformationMessage(`Report written to ${notifyText(dest.fsPath)}`, 'Open').then((a) => {
        if (a === 'Open' && dest) void vscode.window.showTextDocument(dest);
      });
    }
    return dest.fsPath;
  }

  /** The replication's text for the last run (or the default request), or a visible refusal. */
  function replicationFor(doc: InspectorDocument): string | undefined {
    if (doc.state.kind !== 'ready') return undefined;
    try {
      const gaps = replicationGaps(doc.state.model);
      if (gaps.length) {
        void vscode.window.showErrorMessage(`RNN Inspector: the NumPy replication cannot write ${notifyText(gaps.join(', '))} yet, so it is not offered (it would differ from Keras).`);
        return undefined;
      }
      return replicationPython(doc.state.model, replicationOptions(doc));
    } catch (e) {
      // A value the replication refuses to write into code (e.g. a RepeatVector n that is not a number).
      void vscode.window.showErrorMessage(`RNN Inspector: ${notifyText(`${path.basename(doc.fsPath)}: ${e instanceof Error ? e.message : String(e)}`)}`);
      return undefined;
    }
  }

  /** The inputs of the last run (or the default request), as the replication and the BPTT write them. */
  function replicationOptions(doc: InspectorDocument): ReplicationOptions {
    const req = doc.lastRun?.result.request ?? defaultRequest(doc).request;
    const view = doc.state.kind === 'ready' ? doc.state.view : undefined;
    return {
      seed: req.seed,
      samples: req.samples,
      timesteps: req.timesteps,
      inputsPath: req.inputs.kind === 'file' ? req.inputs.path : undefined,
      expectedPath: req.expected.kind === 'file' ? req.expected.path : undefined,
      perSample: view?.input.perSample ?? [],
      integerVocab: view?.input.integerVocab,
    };
  }

  /** The NumPy BPTT's text, or undefined (with the reason shown) when it cannot be written for this model. */
  function bpttFor(doc: InspectorDocument): string | undefined {
    if (doc.state.kind !== 'ready') return undefined;
    const gaps = bpttGaps(doc.state.model);
    if (gaps.length) {
      void vscode.window.showErrorMessage(`RNN Inspector: the NumPy BPTT cannot write ${notifyText(gaps.join(', '))} yet, so it is not offered.`);
      return undefined;
    }
    try {
      return bpttPython(doc.state.model, { ...replicationOptions(doc), loss: 'mse' });
    } catch (e) {
      void vscode.window.showErrorMessage(`RNN Inspector: ${notifyText(`${path.basename(doc.fsPath)}: ${e instanceof Error ? e.message : String(e)}`)}`);
      return undefined;
    }
  }

  /** Copies a generated script for a model to the clipboard; `make` shows its own refusal and returns undefined. */
  async function copyScript(arg: unknown, prompt: string, make: (doc: InspectorDocument) => string | undefined, what: string, done: string): Promise<string | undefined> {
    const uri = await target(arg, prompt);
    if (!uri) return undefined;
    const doc = await readyDoc(uri);
    if (!doc || doc.state.kind !== 'ready') return undefined;
    const text = make(doc);
    if (!text) return undefined;
    await vscode.env.clipboard.writeText(text);
    log.info(`${what} of ${doc.fsPath} copied (${text.length} characters)`);
    void vscode.window.showInformationMessage(done);
    return text;
  }

  const copyBptt = (arg?: unknown): Promise<string | undefined> =>
    copyScript(arg, 'Write the backward pass of which model in NumPy?', bpttFor, 'NumPy BPTT', 'NumPy BPTT (backward pass by hand, with its gradient check) copied to the clipboard.');
  const copyReplication = (arg?: unknown): Promise<string | undefined> =>
    copyScript(arg, 'Replicate which model in NumPy?', replicationFor, 'NumPy replication', 'NumPy replication copied to the clipboard.');

  /** Open as Jupyter Notebook: writes <stem>.replication.ipynb where the user chooses and opens it. */
  async function exportNotebook(arg?: unknown, targetPath?: string): Promise<string | undefined> {
    const uri = await target(arg, 'Replicate which model in a notebook?');
    if (!uri) return undefined;
    const doc = await readyDoc(uri);
    if (!doc || doc.state.kind !== 'ready') return undefined;
    const forwardText = replicationFor(doc);
    if (!forwardText) return undefined;
    // The backward pass follows the forward one where the BPTT can be written (weights and X already loaded).
    const text = bpttGaps(doc.state.model).length ? forwardText : `${forwardText}\n${bpttBody(doc.state.model, { ...replicationOptions(doc), loss: 'mse' })}`;
    let dest = targetPath ? vscode.Uri.file(targetPath) : undefined;
    if (!dest) {
      dest = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(doc.uri, '..', `${modelStem(doc.fsPath)}.replication.ipynb`),
        filters: { 'Jupyter Notebook': ['ipynb'] },
        title: 'Open as Jupyter Notebook',
      });
      if (!dest) return undefined;
    }
    const legend = doc.state.view.legend.filter((l) => l.value !== null).map((l) => `${l.letter} = ${l.value} (${l.meaning})`).join(', ');
    const nb = replicationNotebook(text, path.basename(doc.fsPath), legend ? `Letters: ${legend}.` : '');
    await vscode.workspace.fs.writeFile(dest, new TextEncoder().encode(nb));
    log.info(`notebook for ${doc.fsPath} written to ${dest.fsPath}`);
    if (!targetPath) {
      // VS Code's notebook editor when a Jupyter serializer is installed; otherwise the JSON as text.
      try {
        await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(dest));
      } catch {
        await vscode.window.showTextDocument(dest);
      }
    }
    return dest.fsPath;
  }

  context.subscriptions.push(
    vscode.commands.registerCommand('rnnInspector.openFile', async () => {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: OPEN_FILTERS, title: 'Open weights file' });
      if (picked?.[0]) await openInspector(picked[0]);
    }),
    vscode.commands.registerCommand('rnnInspector.inspectFile', async (arg?: unknown) => {
      const uri = await target(arg, 'Inspect which file?');
      if (uri) await openInspector(uri);
    }),
    vscode.commands.registerCommand('rnnInspector.verify', verifyCommand),
    vscode.commands.registerCommand('rnnInspector.exportReport', exportReport),
    vscode.commands.registerCommand('rnnInspector.copyReplication', copyReplication),
    vscode.commands.registerCommand('rnnInspector.copyBptt', copyBptt),
    vscode.commands.registerCommand('rnnInspector.exportNotebook', exportNotebook),
    vscode.commands.registerCommand('rnnInspector.reload', async (arg?: unknown) => {
      const uri = await target(arg, 'Reload which file?');
      if (uri) await (await provider.getDocument(uri)).load();
    }),
  );

  const activationMs = performance.now() - t0;
  log.info(`RNN Inspector ${context.extension.packageJSON.version} activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    provider,
    load: (uri) => provider.getDocument(uri),
  };
}

export function deactivate(): void {
  /* everything is in context.subscriptions */
}
