// The typed request/reply helper shared by host ↔ webview and host ↔ worker (src/shared/rpc.ts).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MessageChannelEnd, type Envelope } from '../../src/shared/rpc';

type A = { type: 'ask'; n: number } | { type: 'note'; text: string };
type B = { type: 'answer'; n: number } | { type: 'progress'; done: number };

/** Two ends wired to each other asynchronously, as postMessage delivers. */
function pair(): { a: MessageChannelEnd<A, B>; b: MessageChannelEnd<B, A>; seenByB: (A & Envelope)[] } {
  const seenByB: (A & Envelope)[] = [];
  let b!: MessageChannelEnd<B, A>;
  const a = new MessageChannelEnd<A, B>((m) => queueMicrotask(() => b.receive(m)));
  b = new MessageChannelEnd<B, A>((m) => queueMicrotask(() => a.receive(m)));
  b.onMessage((m) => seenByB.push(m));
  return { a, b, seenByB };
}

test('replies are matched to their request by id, not by arrival order', async () => {
  const { a, b, seenByB } = pair();
  const p1 = a.request<Extract<B, { type: 'answer' }>>({ type: 'ask', n: 1 });
  const p2 = a.request<Extract<B, { type: 'answer' }>>({ type: 'ask', n: 2 });
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(seenByB.length, 2);
  assert.notEqual(seenByB[0].messageId, seenByB[1].messageId);
  // Answer the second request first.
  b.reply(seenByB[1], { type: 'answer', n: 20 });
  b.reply(seenByB[0], { type: 'answer', n: 10 });
  assert.equal((await p1).n, 10);
  assert.equal((await p2).n, 20);
  assert.equal(a.open, 0);
});

test('messages that are not replies go to the listener; notifications carry no id', async () => {
  const { a, b, seenByB } = pair();
  const got: (B & Envelope)[] = [];
  a.onMessage((m) => got.push(m));
  a.send({ type: 'note', text: 'hi' });
  b.send({ type: 'progress', done: 3 });
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(seenByB, [{ type: 'note', text: 'hi' }]);
  assert.deepEqual(got, [{ type: 'progress', done: 3 }]);
});

test('a reply to an unknown id is handed to the listener, and failAll rejects open requests', async () => {
  const { a } = pair();
  const got: (B & Envelope)[] = [];
  a.onMessage((m) => got.push(m));
  a.receive({ type: 'answer', n: 5, inReplyTo: 999 });
  assert.equal(got.length, 1);
  const lonely = new MessageChannelEnd<A, B>(() => undefined);
  const p = lonely.request({ type: 'ask', n: 1 });
  lonely.failAll(new Error('gone'));
  await assert.rejects(p, /gone/);
});

test('a poster that throws rejects the request instead of leaving it open', async () => {
  const end = new MessageChannelEnd<A, B>(() => {
    throw new Error('closed');
  });
  await assert.rejects(end.request({ type: 'ask', n: 1 }), /closed/);
  assert.equal(end.open, 0);
});
