/**
 * The panel and the exported report take model.summary() from the core's one renderer: the text
 * is what Keras printed (test/fixtures/summary, section S), the table rows are the same data.
 * Plain Node: view.ts and report.ts have no vscode import.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { openModel, summarize } from '../../src/core';
import { modelView } from '../../src/extension/view';
import { markdownReport } from '../../src/extension/report';
import { fixture } from './paths';

const keras = (name: string): string => fs.readFileSync(fixture('summary', name), 'utf8').replace(/\n+$/, '');
const noSources = { inputs: [], expected: [] };

for (const [c, connected] of [['functional_branches', true], ['seed_n1', false], ['bidir_concat', false]] as const) {
  test(`panel and report of ${c}/model.keras show Keras's summary${connected ? ' with Connected to' : ''}`, async () => {
    const model = await openModel(fixture('keras', c, 'model.keras'));
    const v = modelView(model, summarize(model), noSources);
    const text = keras(`keras__${c}__model.keras.c80.txt`);
    assert.equal(v.summaryText, text);
    assert.equal(v.summary.connected, connected);
    assert.equal(v.summary.header.includes('Connected to'), connected);
    // Every row's cells appear in Keras's text (names, parameter counts), in Keras's order.
    let at = 0;
    for (const r of v.summary.rows) {
      const i = text.indexOf(r.name, at);
      assert.ok(i >= at, `${r.name} in Keras's order`);
      assert.ok(text.includes(` ${r.params} │`), `${r.name}: ${r.params}`);
      if (connected) assert.ok(r.connectedTo && r.connectedTo.length > 0);
      at = i;
    }
    for (const t of v.summary.totals) assert.ok(text.includes(` ${t.label}: ${t.text}`), t.label);
    const md = markdownReport(v, undefined, new Date(0));
    assert.ok(md.includes(`| ${v.summary.header.join(' | ')} |`));
    assert.ok(md.includes(text));
    for (const t of v.summary.totals) assert.ok(md.includes(`- ${t.label}: ${t.text}`));
  });
}
