/** The panel's HTML shell: a strict Content-Security-Policy with a per-load nonce. */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

export function getNonce(): string {
  return crypto.randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

/** Only the extension's own media/ and dist/ folders can be loaded by the panel. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = getNonce();
  const asset = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'", //                      nothing unless listed below
    `style-src ${webview.cspSource}`, //           our CSS files only (no inline <style>; the script sets styles via CSSOM)
    `font-src ${webview.cspSource}`, //            the codicon font
    `img-src ${webview.cspSource} data:`, //        no remote images
    `script-src 'nonce-${nonce}'`, //               only our bundled script; no unsafe-eval, no wasm (h5wasm runs in the host)
  ].join('; ');
  const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('dist', 'codicons', 'codicon.css')}">
<link rel="stylesheet" href="${asset('media', 'panel.css')}">
<title>${esc(title)}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="muted">Loading ${esc(title)}…</p></main>
<script nonce="${nonce}" src="${asset('dist', 'webview.js')}"></script>
</body>
</html>`;
}
