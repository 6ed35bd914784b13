/**
 * The live alert feed: the `alertChanged` subscription over SSE (graphql-sse's client, the protocol
 * graphql-yoga serves), with the session's bearer token. The server ends a stream when the
 * session's credential, roles or policy decision change; the client then subscribes again, so the
 * door decides anew. A refused subscription is tried again later, not in a loop.
 */
import { createClient } from 'graphql-sse';
import { session } from '../auth/session';

const ALERT_CHANGED = /* GraphQL */ `
  subscription AlertChanged {
    alertChanged {
      created
      alert {
        id
      }
    }
  }
`;

export interface AlertChangeNotice {
  readonly id: string;
  readonly created: boolean;
}

/** After the server ended a stream (a changed decision) and after a refusal or a lost connection. */
const AGAIN_AFTER_END_MS = 1_000;
const AGAIN_AFTER_ERROR_MS = 30_000;

/** Calls `onChange` for each alert the caller may see as it is written; the returned function stops. */
export function watchAlerts(onChange: (change: AlertChangeNotice) => void): () => void {
  const client = createClient({
    url: '/graphql',
    headers: (): Record<string, string> => {
      const token = session.token();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    // The retries are this module's own (below), so a refusal waits instead of hammering the door.
    retryAttempts: 0,
  });
  let stopped = false;
  let dispose: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const again = (ms: number) => {
    dispose = null;
    if (!stopped) timer = setTimeout(open, ms);
  };
  function open() {
    timer = null;
    if (stopped || !session.token()) return;
    dispose = client.subscribe<{ alertChanged: { created: boolean; alert: { id: string } } }>(
      { query: ALERT_CHANGED },
      {
        next: (r) => {
          const c = r.data?.alertChanged;
          if (c) onChange({ id: c.alert.id, created: c.created });
        },
        error: () => again(AGAIN_AFTER_ERROR_MS),
        complete: () => again(AGAIN_AFTER_END_MS),
      },
    );
  }
  open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    dispose?.();
    client.dispose();
  };
}
