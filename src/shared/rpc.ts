/**
 * One typed request/reply helper for every message channel of the extension: host ↔ webview
 * (postMessage of a WebviewPanel) and host ↔ worker thread (worker_threads' MessagePort).
 *
 * Every request carries a `messageId`; its reply carries `inReplyTo` with the same number, so a
 * reply is matched to its request by id, never by "the next message of this type". Messages that
 * are not replies (notifications such as progress) go to the `onMessage` listener.
 * No imports: the webview bundle, the host and the worker all use this file.
 */

/** Fields the helper adds to a message. */
export interface Envelope {
  messageId?: number;
  inReplyTo?: number;
}

export type Transfer = ArrayBuffer[];

export type Poster<T> = (m: T & Envelope, transfer?: Transfer) => void;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/**
 * One end of a channel: `Out` are the messages this end sends, `In` the ones it receives.
 * Call `receive` with every incoming message; it resolves the matching request, if any.
 */
export class MessageChannelEnd<Out extends { type: string }, In extends { type: string }> {
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  private listener?: (m: In & Envelope) => void;

  constructor(private readonly poster: Poster<Out>) {}

  /** Sends a message that expects no reply. */
  send(m: Out, transfer?: Transfer): void {
    this.poster(m, transfer);
  }

  /**
   * Sends a request and resolves with the reply whose `inReplyTo` names it. `Reply` is the type of
   * message the other end answers with (a member of `In`).
   */
  request<Reply extends In>(m: Out, transfer?: Transfer): Promise<Reply> {
    const messageId = this.next++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(messageId, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.poster({ ...m, messageId }, transfer);
      } catch (e) {
        this.pending.delete(messageId);
        reject(e);
      }
    });
  }

  /** Answers a request received on this end. */
  reply(to: Envelope, m: Out, transfer?: Transfer): void {
    this.poster(to.messageId === undefined ? m : { ...m, inReplyTo: to.messageId }, transfer);
  }

  /** Listener for incoming messages that are not replies (requests and notifications). */
  onMessage(listener: (m: In & Envelope) => void): void {
    this.listener = listener;
  }

  /** Feeds one incoming message in. */
  receive(m: In & Envelope): void {
    if (m.inReplyTo !== undefined) {
      const p = this.pending.get(m.inReplyTo);
      if (p) {
        this.pending.delete(m.inReplyTo);
        p.resolve(m);
        return;
      }
    }
    this.listener?.(m);
  }

  /** Rejects every open request (the other end went away). */
  failAll(e: unknown): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  /** Number of requests still waiting for a reply (tests). */
  get open(): number {
    return this.pending.size;
  }
}
