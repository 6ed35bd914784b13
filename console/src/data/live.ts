/**
 * The live feeds: GraphQL subscriptions over SSE (graphql-sse's client, the protocol graphql-yoga
 * serves), with the session's bearer token — `alertChanged` for the alert queue and the 大屏,
 * `playbookChanged` for playbook runs and approvals, `caseChanged` for the case list and a case page. The server ends a stream when the session's
 * credential, roles or policy decision change; the client then subscribes again, so the door decides
 * anew. A refused subscription is tried again later, not in a loop.
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

const PLAYBOOK_CHANGED = /* GraphQL */ `
  subscription PlaybookChanged {
    playbookChanged {
      run {
        id
        status
      }
      approval {
        id
        runId
        status
      }
    }
  }
`;

const CASE_CHANGED = /* GraphQL */ `
  subscription CaseChanged {
    caseChanged {
      id
      version
      status
      kind
    }
  }
`;

export interface AlertChangeNotice {
  readonly id: string;
  readonly created: boolean;
}

/** A run (its id and status) or an approval (its id, run and status) just stored. */
export type PlaybookChangeNotice =
  | { readonly kind: 'run'; readonly id: string; readonly status: string }
  | { readonly kind: 'approval'; readonly id: string; readonly runId: string; readonly status: string };

/** A case just stored: opened, changed (a task, a comment, a status move, …) or merged. */
export interface CaseChangeNotice {
  readonly id: string;
  readonly version: number;
  readonly status: string;
  readonly kind: 'created' | 'updated' | 'merged';
}

/** After the server ended a stream (a changed decision) and after a refusal or a lost connection. */
const AGAIN_AFTER_END_MS = 1_000;
const AGAIN_AFTER_ERROR_MS = 30_000;

/** Follows one subscription until the returned function stops it, subscribing again when the server ends it. */
function follow<T>(query: string, onData: (data: T) => void): () => void {
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
    dispose = client.subscribe<T>(
      { query },
      {
        next: (r) => {
          if (r.data) onData(r.data as T);
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

/** Calls `onChange` for each alert the caller may see as it is written; the returned function stops. */
export function watchAlerts(onChange: (change: AlertChangeNotice) => void): () => void {
  return follow<{ alertChanged: { created: boolean; alert: { id: string } } }>(ALERT_CHANGED, (d) =>
    onChange({ id: d.alertChanged.alert.id, created: d.alertChanged.created }),
  );
}

type PlaybookChanged = {
  playbookChanged: { run: { id: string; status: string } | null; approval: { id: string; runId: string; status: string } | null };
};

/** Calls `onChange` for each playbook run and approval the caller may read as it is stored; the returned function stops. */
export function watchPlaybooks(onChange: (change: PlaybookChangeNotice) => void): () => void {
  return follow<PlaybookChanged>(PLAYBOOK_CHANGED, ({ playbookChanged: c }) => {
    if (c.run) onChange({ kind: 'run', id: c.run.id, status: c.run.status });
    else if (c.approval) onChange({ kind: 'approval', id: c.approval.id, runId: c.approval.runId, status: c.approval.status });
  });
}

/** Calls `onChange` for each case the caller may read as it is stored; the returned function stops. */
export function watchCases(onChange: (change: CaseChangeNotice) => void): () => void {
  return follow<{ caseChanged: CaseChangeNotice }>(CASE_CHANGED, ({ caseChanged: c }) =>
    onChange({ id: c.id, version: c.version, status: c.status, kind: c.kind }),
  );
}
