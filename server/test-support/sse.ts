/**
 * A GraphQL subscription read as a test reads it: over SSE (graphql-sse's distinct-connections
 * mode), every event collected in order until the server ends the stream or the test closes it.
 */
export interface SseEvent<D> {
  readonly event: string;
  readonly data: D | null;
}

export interface SseStream<D> {
  readonly status: number;
  readonly contentType: string | null;
  readonly events: SseEvent<D>[];
  /** Resolves when the server ends the stream (or it is closed). */
  readonly ended: Promise<void>;
  isEnded(): boolean;
  close(): void;
}

export async function subscribeSse<D>(url: string, token: string | null, query: string): Promise<SseStream<D>> {
  const ac = new AbortController();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
    signal: ac.signal,
  });
  const events: SseEvent<D>[] = [];
  let over = false;
  const ended = (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: ?(.*)$/m.exec(block)?.[1];
        if (event) events.push({ event, data: data ? (JSON.parse(data) as D) : null });
      }
    }
  })()
    .catch(() => undefined)
    .finally(() => void (over = true));
  return { status: res.status, contentType: res.headers.get('content-type'), events, ended, isEnded: () => over, close: () => ac.abort() };
}

/** Polls `check` until it holds; the error names what was awaited. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
