/**
 * Reading a message the way node settings name its parts: a dotted path (`alert.entities.0.value`)
 * and `{{path}}` templates. Written here rather than taken from Node-RED's util so that a path
 * can never reach a prototype (`__proto__`, `constructor`) and a template never runs code (no
 * mustache lambdas, no JSONata): settings come from whoever may deploy, values from alerts.
 */
import type { AlertEntity } from '../../core/alert';
import type { Message } from '../runs/envelope';

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

export function valueAt(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split('.').filter((p) => p !== '')) {
    if (FORBIDDEN.has(part) || cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** `{{alert.rule.name}}` → the value (objects as JSON); a missing value renders empty. At most 8 KiB out. */
export function render(template: string, msg: Message): string {
  const out = template.replace(/\{\{\s*([A-Za-z0-9_.$-]+)\s*\}\}/g, (_, path: string) => {
    const v = valueAt(msg, path);
    if (v === undefined || v === null) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
  return out.length > 8192 ? `${out.slice(0, 8189)}...` : out;
}

export function alertOf(msg: Message): { id?: string; entities: AlertEntity[] } & Record<string, unknown> {
  const a = msg.alert;
  if (!a || typeof a !== 'object') return { entities: [] };
  const alert = a as Record<string, unknown>;
  const entities = Array.isArray(alert.entities)
    ? (alert.entities as unknown[]).filter(
        (e): e is AlertEntity => !!e && typeof e === 'object' && typeof (e as AlertEntity).type === 'string' && typeof (e as AlertEntity).value === 'string',
      )
    : [];
  return { ...alert, ...(typeof alert.id === 'string' ? { id: alert.id } : {}), entities };
}

/** The entities of one type on the message's alert, in order. */
export function entitiesOf(msg: Message, type: AlertEntity['type']): string[] {
  return alertOf(msg)
    .entities.filter((e) => e.type === type)
    .map((e) => e.value);
}

/**
 * A string a node setting points at: a literal, or `msg.<path>` read from the message; when the
 * setting is empty, the first entity of the type on the alert.
 */
export function pick(setting: string | undefined, msg: Message, entityType?: AlertEntity['type']): string | undefined {
  const s = (setting ?? '').trim();
  if (s.startsWith('msg.')) {
    const v = valueAt(msg, s.slice(4));
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  }
  if (s !== '') return s;
  return entityType ? entitiesOf(msg, entityType)[0] : undefined;
}
