/**
 * What a listener needs of an abort signal: whether it fired, and one listener to add
 * and remove. An AbortSignal is one; so is the transport's request context, which
 * answers without making an AbortController (with its signal, event map and listener
 * records) for each request that only needs to be told when it ends.
 */
export interface AbortLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
