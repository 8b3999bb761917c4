/**
 * The inspection panel (browser code): wiring only. It draws what the host sends and posts back
 * what the user asks for; it never reads files or imports src/core. Each section lives in its own
 * file: header.ts (header and legend), summary.ts, cards.ts (layer cards), forward.ts (forward
 * pass), errorView.ts, state.ts (shared state and the channel to the host).
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
import { gradientsSection } from './gradients';

const app = document.getElementById('app') as HTMLElement;

function toolbar(): HTMLElement {
  return h(
    'nav',
    { class: 'toolbar', 'aria-label': 'Actions' },
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
    button('Reload', 'refresh', () => post({ type: 'command', command: 'reload' })),
  );
}

function render(m: ModelView, s: SettingsView): void {
  if (panel.state.file !== m.file) save({ file: m.file, inputKey: undefined, expectedKey: undefined, traceSample: 0, pickedSources: [] });
  resetPicked();
  app.replaceChildren(header(m), toolbar(), legend(m), summaryTable(m), cards(m), forwardSection(m, s), gradientsSection(m));
  app.setAttribute('aria-busy', 'false');
  updateRandomFields();
  if (panel.state.scrollY) window.scrollTo(0, panel.state.scrollY);
}

host.onMessage((m) => {
  switch (m.type) {
    case 'loading':
      app.setAttribute('aria-busy', 'true');
      if (!panel.model) app.replaceChildren(h('p', { class: 'muted' }, icon('loading codicon-modifier-spin'), ` Reading ${m.file}…`));
      return;
    case 'state':
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
      document.getElementById('run-result')?.replaceChildren(resultView(m.result));
      return;
    case 'runError':
      setRunning(false, m.message);
      return;
  }
});

window.addEventListener('message', (e: MessageEvent<HostToWebview & Envelope>) => host.receive(e.data));

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  scrollTimer = window.setTimeout(() => save({ scrollY: window.scrollY }), 200);
});

post({ type: 'ready' });
