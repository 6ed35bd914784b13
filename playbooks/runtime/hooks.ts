/**
 * Node-RED's message hooks tell the run engine where a run's messages are: one is delivered to a
 * node (preDeliver), a node is done with one (onComplete), or — for nodes that never report done,
 * like switch — sends on (onSend). That count is how the engine knows a run has finished, across
 * any nodes (core ones included) between the CitySOC steps.
 */
import type { Message } from '../runs/envelope';
import type { RunEngine } from '../runs/engine';

interface Hooks {
  add(name: string, fn: (event: unknown) => void): void;
  remove(name: string): void;
}

interface SendEvent {
  readonly msg: Message;
  readonly source?: { readonly id: string };
  readonly destination?: { readonly id: string; readonly node?: { readonly _expectedDoneCount?: number } };
}

interface CompleteEvent {
  readonly msg: Message;
  readonly error?: Error | string;
  readonly node: { readonly id: string; readonly node?: { readonly type?: string } };
}

const SUFFIX = 'citysoc-runs';

export function installRunHooks(hooks: Hooks, engine: RunEngine): () => void {
  hooks.add(`preDeliver.${SUFFIX}`, (e) => {
    const d = (e as SendEvent).destination;
    // Node-RED counts the input handlers that take `done` (_expectedDoneCount); a node with none never completes a message.
    engine.delivered((e as SendEvent).msg, d?.id, (d?.node?._expectedDoneCount ?? 1) > 0);
  });
  hooks.add(`onSend.${SUFFIX}`, (events) => {
    const first = (events as SendEvent[])[0];
    if (first?.source) engine.sent(first.msg, first.source.id);
  });
  hooks.add(`onComplete.${SUFFIX}`, (e) => {
    const c = e as CompleteEvent;
    engine.completed(c.node.id, c.node.node?.type ?? 'unknown', c.msg, c.error);
  });
  return () => hooks.remove(`*.${SUFFIX}`);
}

/** Node-RED's hook registry: the same module instance the runtime routes messages through. */
export function nodeRedHooks(): Hooks {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node-red') as { hooks: Hooks }).hooks;
}
