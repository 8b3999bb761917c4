/**
 * One opened weight file: the parsed model (in the host, never in the webview), what the panel
 * shows about it, and its last forward-pass run. Reloads when the file changes on disk.
 */
import { promises as fsp } from 'node:fs';
import * as vscode from 'vscode';
import { InspectorError, openModel, summarize, type Model, type Summary } from '../core';
import type { ModelView } from '../shared/messages';
import { discoverSources } from './sources';
import { modelView } from './view';
import type { FullRun } from './runner';

export type LoadState =
  | { kind: 'loading' }
  | { kind: 'ready'; model: Model; summary: Summary; view: ModelView; loadMs: number }
  | { kind: 'error'; message: string };

/** Plain text of any error, the core's InspectorError already reads "FILE: problem". */
export function errorText(e: unknown): string {
  if (e instanceof InspectorError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export class InspectorDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every (re)load; panels redraw. */
  readonly onDidChange = this.changed.event;
  private readonly disposed = new vscode.EventEmitter<void>();
  /** Fires once when VS Code disposes the document (its last editor closed). */
  readonly onDidDispose = this.disposed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private isDisposed = false;
  state: LoadState = { kind: 'loading' };
  lastRun?: FullRun;
  private loading?: Promise<void>;
  /** mtime and size of the file as last read: a cheap check for changes the watcher missed. */
  private stamp = '';
  private reloadTimer?: NodeJS.Timeout;

  constructor(
    readonly uri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Reload when the file is rewritten (e.g. a notebook saves the model again); sidecars too.
    const dir = vscode.Uri.joinPath(uri, '..');
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, '*'));
    const onFs = (u: vscode.Uri): void => {
      const isModel = u.toString() === uri.toString();
      if (isModel || /\.(npy|npz|json)$/i.test(u.path)) this.scheduleReload(isModel ? 'file changed on disk' : `${u.path.split('/').pop()} changed`);
    };
    this.disposables.push(watcher, watcher.onDidChange(onFs), watcher.onDidCreate(onFs), watcher.onDidDelete(onFs));
  }

  get fsPath(): string {
    return this.uri.fsPath;
  }

  private scheduleReload(why: string): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.log.info(`${this.fsPath}: ${why}, reloading`);
      void this.load();
    }, 300);
  }

  private async currentStamp(): Promise<string> {
    try {
      const st = await fsp.stat(this.fsPath);
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return 'missing';
    }
  }

  /**
   * Reloads if the file differs from what was read (file watchers can miss events, e.g. outside
   * the workspace or on network drives). Called when a panel becomes visible again.
   */
  async reloadIfChanged(): Promise<void> {
    if (this.loading || !this.stamp) return;
    if ((await this.currentStamp()) !== this.stamp) {
      this.log.info(`${this.fsPath}: changed since it was read, reloading`);
      await this.load();
    }
  }

  /** Parses the file; concurrent callers share one load. */
  load(): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = this.doLoad().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  ready(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  private async doLoad(): Promise<void> {
    const t0 = performance.now();
    this.state = { kind: 'loading' };
    this.lastRun = undefined;
    this.stamp = await this.currentStamp();
    try {
      if (this.uri.scheme !== 'file') {
        throw new InspectorError(this.uri.toString(), 'only files on disk can be inspected (this workspace is virtual)');
      }
      const model = await openModel(this.fsPath);
      const summary = summarize(model);
      const sources = await discoverSources(model);
      const view = modelView(model, summary, sources);
      const loadMs = performance.now() - t0;
      this.state = { kind: 'ready', model, summary, view, loadMs };
      const weights = model.layers.reduce((s, l) => s + l.weights.length, 0);
      this.log.info(
        `read ${this.fsPath} (${view.bytes} bytes) as ${view.formatLabel}${view.kerasVersion ? `, Keras ${view.kerasVersion}` : ''}: ` +
          `${model.layers.length} layers, ${weights} weight tensors, ${summary.totalParams} params in ${loadMs.toFixed(0)} ms`,
      );
      for (const n of view.notes) this.log.info(`  inferred: ${n}`);
      for (const u of view.unsupported) this.log.warn(`  not supported: ${u}`);
      const side = [...view.inputSources, ...view.expectedSources].filter((s) => s.sidecar).map((s) => s.path);
      if (side.length) this.log.info(`  sidecar files: ${side.join(', ')}`);
    } catch (e) {
      const message = errorText(e);
      this.state = { kind: 'error', message };
      this.log.error(`could not read ${this.fsPath}: ${message}`);
    }
    this.changed.fire();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    clearTimeout(this.reloadTimer);
    this.disposed.fire();
    this.disposed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
