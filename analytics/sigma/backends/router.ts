// The logsource router of a RuleSet (logsource.ts says what routing means): masks of the rules
// an event may run, cached by the raw values of the few fields routing reads.
import type { LogSource } from '../model';
import { eventLogsource, routeNeed, routes } from '../logsource';
import { scalarText, type SigmaEvent } from './fieldpath';
import { fieldSlot, slotValues } from './js';

type RouteNeed = ReturnType<typeof routeNeed>;

/** At most this many distinct route keys keep a mask; then the cache starts over. */
const MAX_MASKS = 4096;

/** The fields routing reads, in the order of the route key. */
const ROUTE_FIELDS = ['host.os.type', 'event.module', 'event.dataset', 'winlog.channel', 'Event.System.Channel', 'Event.System.EventID'];

/** One value list as key text: its texts, null as \u0000, joined; nothing for an absent field. */
function keyPart(values: unknown[]): string {
  if (values.length === 0) return '';
  if (values.length === 1) {
    const v = values[0];
    return v === null ? '\u0000' : (scalarText(v) ?? '\u0003');
  }
  return values.map((v) => (v === null ? '\u0000' : (scalarText(v) ?? '\u0003'))).join('\u0002');
}

/**
 * Masks of the rules each kind of event may run. The mask is cached by the raw values of the
 * fields routing reads (read through the matcher's per-event field cache, which the rules' own
 * logsource conditions read too), so an event costs a few lookups and one map probe.
 */
export class LogsourceRouter {
  private readonly needs: RouteNeed[];
  private readonly masks = new Map<string, Uint8Array>();
  private readonly slots = ROUTE_FIELDS.map(fieldSlot);

  constructor(logsources: readonly LogSource[]) {
    this.needs = logsources.map(routeNeed);
  }

  /** 1 for each rule (in the given order) that may run on the event; call after beginEvent(event). */
  mask(event: SigmaEvent): Uint8Array {
    const s = this.slots;
    // EventID only counts by its presence.
    const key = `${keyPart(slotValues(event, s[0] as number))}\u0001${keyPart(slotValues(event, s[1] as number))}\u0001${keyPart(slotValues(event, s[2] as number))}\u0001${keyPart(slotValues(event, s[3] as number))}\u0001${keyPart(slotValues(event, s[4] as number))}\u0001${slotValues(event, s[5] as number).length > 0 ? 1 : 0}`;
    let mask = this.masks.get(key);
    if (!mask) {
      if (this.masks.size >= MAX_MASKS) this.masks.clear();
      const ev = eventLogsource(event);
      mask = Uint8Array.from(this.needs, (n) => (routes(n, ev) ? 1 : 0));
      this.masks.set(key, mask);
    }
    return mask;
  }
}
