/**
 * Node-RED's message hooks tell the run engine where a run's messages are: one is delivered to a
 * node (preDeliver), a node is done with one (onComplete). That count is how the engine knows a
 * run has finished, across any nodes (core ones included) between the CitySOC steps.
 */
import type { Message } from '../runs/envelope';
import type { RunEngine } from '../runs/engine';

interface Hooks {
  add(name: string, fn: (event: unknown) => void): void;
  remove(name: string): void;
}

interface SendEvent {
  readonly msg: Message;
}

interface CompleteEvent {
  readonly msg: Message;
  readonly error?: Error | string;
  readonly node: { readonly id: string; readonly node?: { readonly type?: string } };
}

const SUFFIX = 'citysoc-runs';

export function installRunHooks(hooks: Hooks, engine: RunEngine): () => void {
  hooks.add(`preDeliver.${SUFFIX}`, (e) => engine.delivered((e as SendEvent).msg));
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
