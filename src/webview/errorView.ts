/** The page shown when a file cannot be inspected. */
import { button, h, icon } from './dom';
import { post } from './state';

export function renderError(app: HTMLElement, file: string, message: string, canReopen: boolean): void {
  app.replaceChildren(
    h(
      'section',
      { class: 'error-view', role: 'alert' },
      h('h1', {}, icon('error'), ' Cannot inspect this file'),
      h('p', { class: 'path muted' }, file),
      h('p', { class: 'error-message', id: 'error-message' }, message),
      h('p', {}, 'RNN Inspector reads Keras models and weights (.keras, .h5, .weights.h5), JSON weight dumps and TF.js model.json files.'),
      h(
        'div',
        { class: 'row' },
        canReopen ? button('Reopen With…', 'go-to-file', () => post({ type: 'command', command: 'reopenWith' }), { id: 'reopen', class: 'primary' }) : null,
        button('Try again', 'refresh', () => post({ type: 'command', command: 'reload' })),
      ),
    ),
  );
  app.setAttribute('aria-busy', 'false');
}
