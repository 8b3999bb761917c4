/**
 * The inspection panel (browser code): wiring only. It draws what the host sends and posts back
 * what the user asks for; it never reads files or imports src/core. Each section lives in its own
 * file: header.ts (header and legend), diagram.ts, summary.ts, cards.ts (layer cards), forward.ts
 * (forward pass), errorView.ts, state.ts (shared state and the channel to the host); each registers
 * with sections.ts, and a new section is a new file plus one registerSection line.
 */
import type { HostToWebview, ModelView, SettingsView } from '../shared/messages';
import type { Envelope } from '../shared/rpc';
import { button, h, icon } from './dom';
import { cards } from './cards';
import { renderError } from './errorView';
import { currentRequest, forwardSection, resetPicked, resultView, setRunning, updateRandomFields } from './forward';
import { header, legend } from './header';
import { host, panel, post, save } from './state';
import { summaryTable } from './summary';
import { diagram } from './diagram';
import { mountedSections, registerSection, renderSections } from './sections';
import './gradients';

const app = document.getElementById('app') as HTMLElement;

function toolbar(): HTMLElement {
  return h(
    'nav',
    { class: 'toolbar', 'aria-label': 'Actions' },
    // Run from the top: the forward-pass section's own Run, with the inputs chosen there.
    panel.model?.forwardSupported
      ? button('Run', 'play', () => {
          document.getElementById('run')?.click();
          document.getElementById('fwd-h')?.scrollIntoView({ block: 'start' });
        }, { id: 'toolbar-run', class: 'primary', 'aria-label': 'Run the forward pass (inputs as chosen in the forward-pass section)' })
      : null,
    button('Verify Predictions…', 'pass', () => {
      // With expected predictions chosen in the forward-pass section, verify exactly those;
      // otherwise the command finds sidecars or asks for the files.
      const req = currentRequest();
      if (req && req.expected.kind !== 'none') {
        post({ type: 'run', request: req });
        document.getElementById('fwd-h')?.scrollIntoView({ block: 'start' });
      } else post({ type: 'command', command: 'verify' });
    }),
    button('Export Report', 'export', () => post({ type: 'command', command: 'exportReport' })),
    button('Copy NumPy Replication', 'copy', () => post({ type: 'command', command: 'copyReplication' })),
    button('Open as Jupyter Notebook', 'notebook', () => post({ type: 'command', command: 'exportNotebook' })),
    button('Reload', 'refresh', () => post({ type: 'command', command: 'reload' })),
  );
}

registerSection({ id: 'header', order: 10, render: header });
registerSection({ id: 'toolbar', order: 20, render: toolbar });
registerSection({ id: 'legend', order: 30, render: legend });
registerSection({ id: 'diagram', order: 40, render: diagram });
registerSection({ id: 'summary', order: 50, render: summaryTable });
registerSection({ id: 'cards', order: 60, render: cards });
registerSection({ id: 'forward', order: 70, render: forwardSection, mounted: updateRandomFields });

function render(m: ModelView, s: SettingsView): void {
  if (panel.state.file !== m.file) save({ file: m.file, inputKey: undefined, expectedKey: undefined, traceSample: 0, pickedSources: [] });
  resetPicked();
  app.replaceChildren(...renderSections(m, s));
  app.setAttribute('aria-busy', 'false');
  mountedSections(m);
  if (panel.state.scrollY) window.scrollTo(0, panel.state.scrollY);
}

host.onMessage((m) => {
  switch (m.type) {
    case 'loading':
      app.setAttribute('aria-busy', 'true');
      if (!panel.model) app.replaceChildren(h('p', { class: 'muted' }, icon('loading codicon-modifier-spin'), ` Reading ${m.file}…`));
      return;
    case 'state':
      if (panel.model?.file !== m.model.file) panel.lastResult = undefined;
      panel.model = m.model;
      panel.settings = m.settings;
      render(m.model, m.settings);
      return;
    case 'settings':
      panel.settings = m.settings;
      if (panel.model) render(panel.model, m.settings);
      return;
    case 'error':
      panel.model = undefined;
      renderError(app, m.file, m.message, m.canReopenWith);
      return;
    case 'running':
      setRunning(true, `Running the forward pass (${m.request.inputs.kind === 'random' ? `N = ${m.request.samples}` : m.request.inputs.label})…`);
      return;
    case 'runResult':
      setRunning(false);
      panel.lastResult = m.result;
      document.getElementById('run-result')?.replaceChildren(resultView(m.result));
      updateRandomFields();
      return;
    case 'runError':
      // An old verdict never stays on screen after a failed run.
      setRunning(false, m.message);
      panel.lastResult = undefined;
      document.getElementById('run-result')?.replaceChildren();
      return;
  }
});

// VS Code swaps the body's theme class (vscode-light / vscode-dark / vscode-high-contrast) when the
// colour theme changes: heatmaps read their colours when drawn, so draw the panel again.
let themeClass = document.body.className;
new MutationObserver(() => {
  if (document.body.className === themeClass) return;
  themeClass = document.body.className;
  if (!panel.model || !panel.settings) return;
  const y = window.scrollY;
  render(panel.model, panel.settings);
  if (panel.lastResult) {
    document.getElementById('run-result')?.replaceChildren(resultView(panel.lastResult));
    updateRandomFields();
  }
  window.scrollTo(0, y);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

window.addEventListener('message', (e: MessageEvent<HostToWebview & Envelope>) => host.receive(e.data));

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  scrollTimer = window.setTimeout(() => save({ scrollY: window.scrollY }), 200);
});

post({ type: 'ready' });
