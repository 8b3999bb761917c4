/**
 * The read-only custom editor: one InspectorDocument per file, any number of panels on it.
 * The host parses and computes; panels get display data through the typed messages.
 */
import { panelGradients } from './gradientsPanel';
import * as vscode from 'vscode';
import {
  isWebviewMessage,
  type HostToWebview,
  type RunRequest,
  type RunResult,
  type SettingsView,
  type WebviewToHost,
} from '../shared/messages';
import { InspectorDocument, errorText } from './document';
import { panelHtml, webviewOptions } from './html';
import { CancelledError, rowsPage, runInWorker, runSteps, runTraces } from './runner';
import { pickArrayFile } from './pickers';
import { findWeight, weightMatrix } from './view';
import { MessageChannelEnd, type Envelope } from '../shared/rpc';
import { notifyText } from '../core';

export const VIEW_TYPE = 'rnnInspector.inspector';
/** The same editor for JSON files, offered as an option only (it must not take over every .json). */
export const JSON_VIEW_TYPE = 'rnnInspector.jsonInspector';
export const VIEW_TYPES = [VIEW_TYPE, JSON_VIEW_TYPE];
export const viewTypeFor = (uri: vscode.Uri): string => (/\.json$/i.test(uri.path) ? JSON_VIEW_TYPE : VIEW_TYPE);

export function readSettings(scope?: vscode.Uri): SettingsView {
  const c = vscode.workspace.getConfiguration('rnnInspector', scope);
  return {
    atol: c.get<number>('tolerance.atol', 1e-5),
    rtol: c.get<number>('tolerance.rtol', 1e-4),
    defaultSamples: c.get<number>('defaultSamples', 1),
    defaultSeed: c.get<number>('defaultSeed', 0),
    defaultTimesteps: c.get<number>('defaultTimesteps', 10),
    precision: c.get<string>('precision', 'f64') === 'f32' ? 'f32' : 'f64',
    hardSigmoid: ((v) => (v === 'keras2' || v === 'keras3' ? v : 'auto'))(c.get<string>('hardSigmoid', 'auto')),
  };
}

export class InspectorEditorProvider implements vscode.CustomReadonlyEditorProvider<InspectorDocument> {
  private readonly documents = new Map<string, InspectorDocument>();
  private readonly panels = new Map<InspectorDocument, Set<vscode.WebviewPanel>>();
  private readonly runs = new Map<InspectorDocument, vscode.CancellationTokenSource>();
  private readonly channels = new WeakMap<vscode.WebviewPanel, MessageChannelEnd<HostToWebview, WebviewToHost>>();
  /** The document of the panel that was active last (commands without a target use it). */
  activeDocument?: InspectorDocument;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {}

  static register(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): InspectorEditorProvider {
    const provider = new InspectorEditorProvider(context, log);
    context.subscriptions.push(
      ...VIEW_TYPES.map((viewType) =>
        vscode.window.registerCustomEditorProvider(viewType, provider, { supportsMultipleEditorsPerDocument: true }),
      ),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rnnInspector')) for (const doc of provider.panels.keys()) provider.broadcast(doc, { type: 'settings', settings: readSettings(doc.uri) });
      }),
    );
    return provider;
  }

  /** The document for a file, opened (and parsed) if no editor has it yet. */
  async getDocument(uri: vscode.Uri): Promise<InspectorDocument> {
    const doc = await this.openCustomDocument(uri);
    await doc.ready();
    return doc;
  }

  async openCustomDocument(uri: vscode.Uri): Promise<InspectorDocument> {
    const key = uri.toString();
    const existing = this.documents.get(key);
    if (existing) return existing;
    const doc = new InspectorDocument(uri, this.log);
    this.documents.set(key, doc);
    doc.onDidChange(() => this.pushState(doc));
    void doc.load();
    // VS Code disposes the document when its last editor closes.
    doc.onDidDispose(() => {
      if (this.documents.get(key) === doc) this.documents.delete(key);
      this.runs.get(doc)?.cancel();
    });
    return doc;
  }

  async resolveCustomEditor(doc: InspectorDocument, panel: vscode.WebviewPanel): Promise<void> {
    const set = this.panels.get(doc) ?? new Set();
    set.add(panel);
    this.panels.set(doc, set);
    this.activeDocument = doc;
    panel.webview.options = webviewOptions(this.context.extensionUri);
    panel.webview.html = panelHtml(panel.webview, this.context.extensionUri, doc.uri.path.split('/').pop() ?? 'model');
    panel.onDidChangeViewState(() => {
      if (panel.active) this.activeDocument = doc;
      if (panel.visible) void doc.reloadIfChanged();
    });
    panel.onDidDispose(() => {
      set.delete(panel);
      if (!set.size) this.panels.delete(doc);
      if (this.activeDocument === doc && !set.size) this.activeDocument = undefined;
    });
    const channel = new MessageChannelEnd<HostToWebview, WebviewToHost>((m) => void panel.webview.postMessage(m));
    this.channels.set(panel, channel);
    channel.onMessage((m) => this.onMessage(doc, panel, m).catch((e) => this.log.error(`panel message ${m.type}: ${errorText(e)}`)));
    panel.webview.onDidReceiveMessage((m: unknown) => {
      if (isWebviewMessage(m)) channel.receive(m);
    });
  }

  private post(panel: vscode.WebviewPanel, m: HostToWebview): void {
    this.channels.get(panel)?.send(m);
  }

  private reply(panel: vscode.WebviewPanel, to: Envelope, m: HostToWebview): void {
    this.channels.get(panel)?.reply(to, m);
  }

  broadcast(doc: InspectorDocument, m: HostToWebview): void {
    for (const p of this.panels.get(doc) ?? []) this.post(p, m);
  }

  private stateMessage(doc: InspectorDocument): HostToWebview {
    const s = doc.state;
    if (s.kind === 'ready') return { type: 'state', model: s.view, settings: readSettings(doc.uri) };
    if (s.kind === 'error') return { type: 'error', file: doc.fsPath, message: s.message, canReopenWith: true };
    return { type: 'loading', file: doc.fsPath };
  }

  private pushState(doc: InspectorDocument, panel?: vscode.WebviewPanel): void {
    const m = this.stateMessage(doc);
    if (panel) this.post(panel, m);
    else this.broadcast(doc, m);
    const run = doc.lastRun?.result;
    if (run && doc.state.kind === 'ready') {
      if (panel) this.post(panel, { type: 'runResult', result: run });
      else this.broadcast(doc, { type: 'runResult', result: run });
    }
  }

  private async onMessage(doc: InspectorDocument, panel: vscode.WebviewPanel, m: WebviewToHost & Envelope): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.pushState(doc, panel);
        return;
      case 'run':
        await this.run(doc, m.request).catch(() => undefined);
        return;
      case 'cancel':
        this.cancel(doc.uri);
        return;
      case 'trace': {
        const last = doc.lastRun;
        if (doc.state.kind !== 'ready' || !last) return;
        const sample = Math.min(Math.max(0, m.sample | 0), last.result.samples - 1);
        const traces = runTraces(doc.state.model, last.inputs, sample, last.result.precision);
        last.result = { ...last.result, traces, request: { ...last.result.request, traceSample: sample } };
        this.reply(panel, m, { type: 'traces', sample, traces });
        return;
      }
      case 'steps': {
        const last = doc.lastRun;
        if (doc.state.kind !== 'ready') return;
        if (!last) return this.reply(panel, m, { type: 'steps', steps: [], error: 'Run the forward pass first: the steps use its inputs.' });
        const sample = Math.min(Math.max(0, m.sample | 0), last.result.samples - 1);
        try {
          this.reply(panel, m, { type: 'steps', steps: runSteps(doc.state.model, last.inputs, m.layer, sample) });
        } catch (e) {
          this.reply(panel, m, { type: 'steps', steps: [], error: (e as Error).message });
        }
        return;
      }
      case 'rows': {
        const last = doc.lastRun;
        if (!last) return this.reply(panel, m, { type: 'rows', page: null, error: 'Run the forward pass first.' });
        this.reply(panel, m, { type: 'rows', page: rowsPage(last, m.order === 'worst' ? 'worst' : 'index', Number(m.offset)) });
        return;
      }
      case 'weight': {
        if (doc.state.kind !== 'ready') return;
        const view = doc.state.view;
        // The values are read now, the first time a heatmap is in view (not before the first paint).
        let model;
        try {
          model = await doc.withWeights();
        } catch (e) {
          return this.reply(panel, m, { type: 'weight', id: m.id, matrix: null, error: errorText(e) });
        }
        const w = findWeight(model, m.id);
        const wv = view.layers.flatMap((l) => (l.weights.length ? l.weights : (l.inner ?? []).flatMap((i) => i.weights))).find((x) => x.id === m.id);
        this.reply(panel, m, { type: 'weight', id: m.id, matrix: w ? weightMatrix(w, wv?.notation, wv?.blocks) : null });
        return;
      }
      case 'gradients': {
        if (doc.state.kind !== 'ready') return;
        const { summary } = doc.state;
        const reply = await doc.withWeights().then((model) => panelGradients(model, summary, m.request)).then(
          (result) => ({ type: 'gradientsResult' as const, result }),
          (e) => ({ type: 'gradientsResult' as const, result: null, error: errorText(e) }),
        );
        this.reply(panel, m, reply);
        return;
      }
      case 'pickSource': {
        const source = await pickArrayFile(doc.uri, m.purpose === 'inputs' ? 'Inputs X' : 'Expected predictions Y', m.purpose === 'inputs' ? 'Use as inputs' : 'Use as expected predictions');
        this.reply(panel, m, { type: 'sourcePicked', purpose: m.purpose, source: source ?? null });
        return;
      }
      case 'command': {
        const id = {
          exportReport: 'rnnInspector.exportReport',
          copyReplication: 'rnnInspector.copyReplication',
          copyBptt: 'rnnInspector.copyBptt',
          exportNotebook: 'rnnInspector.exportNotebook',
          verify: 'rnnInspector.verify',
          reopenWith: 'workbench.action.reopenWithEditor',
          reload: 'rnnInspector.reload',
        }[m.command];
        await vscode.commands.executeCommand(id, doc.uri);
        return;
      }
    }
  }

  /**
   * Runs the forward pass (and verification) for a document. Shows a cancellable progress
   * notification when the run takes longer than a moment; the panel's Cancel button works too.
   */
  run(doc: InspectorDocument, request: RunRequest): Promise<RunResult> {
    // The token exists from the first moment, so a Cancel that arrives while the file or the
    // sample arrays are still loading is honoured too.
    this.runs.get(doc)?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.runs.set(doc, cts);
    return this.runWith(doc, request, cts);
  }

  private async runWith(doc: InspectorDocument, request: RunRequest, cts: vscode.CancellationTokenSource): Promise<RunResult> {
    await doc.ready();
    const state = doc.state;
    if (state.kind !== 'ready') {
      if (this.runs.get(doc) === cts) this.runs.delete(doc);
      cts.dispose();
      throw new Error(state.kind === 'error' ? state.message : 'still loading');
    }
    const settings = readSettings(doc.uri);
    request = { ...request, precision: request.precision ?? settings.precision, hardSigmoid: request.hardSigmoid ?? settings.hardSigmoid };
    this.broadcast(doc, { type: 'running', request });
    let report: ((done: number, total: number) => void) | undefined;
    // The weight values are read on the first run (or heatmap), not when the file is opened; a
    // Cancel while they are being read ends the run at once (the read goes on, for the next one).
    const cancelled = new Promise<never>((_, reject) => cts.token.onCancellationRequested(() => reject(new CancelledError())));
    cancelled.catch(() => undefined);
    const work = Promise.race([doc.withWeights(), cancelled]).then((model) => {
      if (cts.token.isCancellationRequested) throw new CancelledError();
      return runInWorker({ model, atol: settings.atol, rtol: settings.rtol }, request, {
        isCancelled: () => cts.token.isCancellationRequested,
        onCancel: (cb) => cts.token.onCancellationRequested(cb),
        progress: (done, total) => report?.(done, total),
      });
    });
    const timer = setTimeout(() => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `RNN Inspector: forward pass on ${notifyText(doc.uri.path.split('/').pop() ?? '')}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => cts.cancel());
          let last = 0;
          report = (done, total) => {
            const pct = (100 * done) / total;
            progress.report({ increment: pct - last, message: `${done} / ${total} samples` });
            last = pct;
          };
          return work.catch(() => undefined);
        },
      );
    }, 400);
    try {
      const full = await work;
      doc.lastRun = full;
      const v = full.result.verify;
      this.log.info(
        `ran ${doc.fsPath}: ${full.result.samples} sample(s) from ${full.result.inputsLabel} in ${full.result.elapsedMs} ms` +
          (v ? `; vs ${full.result.expectedLabel}: ${v.pass ? 'pass' : 'FAIL'}, max |Δ| ${Math.max(...v.outputs.map((o) => o.maxAbsDiff))}` : ''),
      );
      this.broadcast(doc, { type: 'runResult', result: full.result });
      return full.result;
    } catch (e) {
      const message = e instanceof CancelledError ? 'Cancelled.' : errorText(e);
      this.log.warn(`run on ${doc.fsPath}: ${message}`);
      this.broadcast(doc, { type: 'runError', message });
      throw e;
    } finally {
      clearTimeout(timer);
      if (this.runs.get(doc) === cts) this.runs.delete(doc);
      cts.dispose();
    }
  }

  /** Cancels the document's running forward pass, if any. */
  cancel(uri: vscode.Uri): void {
    const doc = this.documents.get(uri.toString());
    if (doc) this.runs.get(doc)?.cancel();
  }

  /** Number of open panels on a document (tests). */
  panelCount(uri: vscode.Uri): number {
    const doc = this.documents.get(uri.toString());
    return doc ? (this.panels.get(doc)?.size ?? 0) : 0;
  }
}
