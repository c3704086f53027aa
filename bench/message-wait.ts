/**
 * The one wait a process handle offers (a local child, bench/child.ts ManagedChild; a load process on
 * an agent, bench/agent/remote-load.ts): the first message of a type, already received or future,
 * bounded in time, ended early by an abort, by the process's 'fatal' message or by its exit, each
 * with the process's own last words.
 */
export interface MessageSource<Out extends { type: string }> {
  readonly name: string;
  /** Messages received and not yet taken by a wait (a wait removes the one it returns). */
  readonly inbox: Out[];
  onMessage(listener: (m: Out) => void): () => void;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  lastWords(): string;
}

export function waitForMessage<Out extends { type: string }, T extends Out['type']>(
  source: MessageSource<Out>,
  type: T,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  exitedError: new (message: string) => Error,
): Promise<Extract<Out, { type: T }>> {
  type M = Extract<Out, { type: T }>;
  const index = source.inbox.findIndex((m) => m.type === type);
  if (index !== -1) return Promise.resolve(source.inbox.splice(index, 1)[0] as M);
  // An abort that came before this wait ends it at once (no 'abort' event will fire again).
  if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<M>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      off();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      cleanup();
      reject(signal!.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${source.name}: no '${type}' within ${timeoutMs} ms (${source.lastWords()})`));
    }, timeoutMs);
    const off = source.onMessage((m) => {
      if (m.type === 'fatal') {
        cleanup();
        reject(new exitedError(`${source.name} failed: ${source.lastWords()}`));
      } else if (m.type === type) {
        source.inbox.splice(source.inbox.indexOf(m), 1);
        cleanup();
        resolve(m as M);
      }
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    void source.exited.then((info) => {
      if (source.inbox.some((m) => m.type === type)) return;
      cleanup();
      reject(
        new exitedError(
          `${source.name} exited (code ${info.code}, signal ${info.signal}) before '${type}': ${source.lastWords()}`,
        ),
      );
    });
  });
}
