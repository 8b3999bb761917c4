/**
 * The panel's shared state: the VS Code API handle, the message channel to the host (typed
 * request/reply, src/shared/rpc.ts), the model and settings being shown, and the state kept across
 * hide/show (vscode.getState / setState).
 */
import type { HostToWebview, ModelView, PanelState, RunResult, SettingsView, WebviewToHost } from '../shared/messages';
import { MessageChannelEnd } from '../shared/rpc';

interface VsCodeApi {
  postMessage(m: unknown): void;
  getState(): PanelState | undefined;
  setState(s: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

/** Requests to the host (weight values, traces, a picked file) and notifications (run, cancel…). */
export const host = new MessageChannelEnd<WebviewToHost, HostToWebview>((m) => vscode.postMessage(m));

export const post = (m: WebviewToHost): void => host.send(m);

export const panel: { state: PanelState; model?: ModelView; settings?: SettingsView; lastResult?: RunResult } = {
  state: vscode.getState() ?? {},
};

export function save(patch: Partial<PanelState>): void {
  panel.state = { ...panel.state, ...patch };
  vscode.setState(panel.state);
}
