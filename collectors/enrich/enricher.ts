/**
 * Adds what the logs do not say: which asset a host or address is and which department owns
 * it, who a user is (department, roles, privileged), and how sensitive the touched dataset is.
 * Lookups are map hits (O(1)); a resource path is looked up at each of its own boundaries, so
 * the cost grows with the path's length, never with the number of datasets.
 */
import { canonicalIp } from '../../core/query/ip';
import { type Doc, isPlainObject } from '../../core/doc';
import type { Asset, DatasetEntry, Identity, ReferenceData } from './reference-data';

const isDoc = isPlainObject;

function child(doc: Doc, key: string): Doc {
  const v = doc[key];
  if (isDoc(v)) return v;
  const made: Doc = {};
  doc[key] = made;
  return made;
}

const first = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

function assetFields(a: Asset): Doc {
  const out: Doc = { id: a.id };
  if (a.name) out.name = a.name;
  if (a.type) out.type = a.type;
  if (a.criticality) out.criticality = a.criticality;
  if (a.department) out.department = a.department;
  if (a.owner) out.owner = a.owner;
  return out;
}

export class Enricher {
  private readonly byHost = new Map<string, Asset>();
  private readonly byIp = new Map<string, Asset>();
  private readonly byUser = new Map<string, Identity>();
  private readonly byDataset = new Map<string, DatasetEntry>();
  /** Resource prefix → its first dataset (in file order); the longest matching prefix wins. */
  private readonly byResource = new Map<string, DatasetEntry>();

  constructor(readonly data: ReferenceData) {
    for (const a of data.assets) {
      for (const h of a.hostnames) this.byHost.set(h.toLowerCase(), a);
      // Canonical text on both sides, so ::0001 finds ::1 and 2001:DB8::1 finds 2001:db8::1.
      for (const ip of a.ips) this.byIp.set(canonicalIp(ip) ?? ip, a);
    }
    for (const i of data.identities) for (const u of [i.user, ...i.aliases]) this.byUser.set(u.toLowerCase(), i);
    for (const d of data.datasets) {
      this.byDataset.set(d.dataset, d);
      for (const r of d.resources) if (!this.byResource.has(r)) this.byResource.set(r, d);
    }
  }

  get empty(): boolean {
    return this.byHost.size + this.byIp.size + this.byUser.size + this.byDataset.size === 0;
  }

  /** Mutates and returns the event; fields the source already set are never overwritten. */
  enrich(event: Doc): Doc {
    if (this.empty) return event;
    const citysoc = child(event, 'citysoc');
    const host = isDoc(event.host) ? event.host : undefined;
    const hostAsset = (host && this.hostAsset(host)) || undefined;
    if (hostAsset) citysoc.asset = assetFields(hostAsset);
    for (const side of ['source', 'destination'] as const) {
      const ip = isDoc(event[side]) ? first((event[side] as Doc).ip) : undefined;
      const a = ip === undefined ? undefined : this.byIp.get(canonicalIp(ip) ?? ip);
      if (a) citysoc[`${side}_asset`] = assetFields(a);
    }
    const user = isDoc(event.user) ? event.user : undefined;
    const name = user ? first(user.name) : undefined;
    const who = name === undefined ? undefined : this.byUser.get(name.toLowerCase());
    if (user && who) {
      const roles = new Set([...(Array.isArray(user.roles) ? (user.roles as string[]) : []), ...who.roles]);
      if (roles.size) user.roles = [...roles];
      if (who.full_name && user.full_name === undefined) user.full_name = who.full_name;
      citysoc.identity = { department: who.department, privileged: who.privileged };
    }
    this.enrichData(citysoc);
    const department = hostAsset?.department ?? who?.department;
    if (department) {
      const org = child(event, 'organization');
      if (org.name === undefined) org.name = department;
    }
    return event;
  }

  private hostAsset(host: Doc): Asset | undefined {
    const name = first(host.name) ?? first(host.hostname);
    const byName = name === undefined ? undefined : (this.byHost.get(name.toLowerCase()) ?? this.byHost.get(name.split('.')[0]!.toLowerCase()));
    if (byName) return byName;
    const ips = Array.isArray(host.ip) ? host.ip : [host.ip];
    for (const ip of ips) {
      const a = typeof ip === 'string' ? this.byIp.get(canonicalIp(ip) ?? ip) : undefined;
      if (a) return a;
    }
    return undefined;
  }

  /**
   * A prefix matches the resource when it is the whole resource or ends where the resource has
   * a boundary: a '/' (the prefix's last character or the resource's next) or a '.' next.
   * Trying the resource's own cut points from the longest down finds the longest such prefix.
   */
  private resourceEntry(resource: string): DatasetEntry | undefined {
    for (let i = resource.length; i >= 0; i--) {
      const boundary = i === resource.length || resource[i] === '/' || resource[i] === '.' || (i > 0 && resource[i - 1] === '/');
      if (!boundary) continue;
      const entry = this.byResource.get(i === resource.length ? resource : resource.slice(0, i));
      if (entry) return entry;
    }
    return undefined;
  }

  private enrichData(citysoc: Doc): void {
    const data = isDoc(citysoc.data) ? citysoc.data : undefined;
    if (!data) return;
    let entry = typeof data.dataset === 'string' ? this.byDataset.get(data.dataset) : undefined;
    if (!entry && typeof data.resource === 'string') entry = this.resourceEntry(data.resource);
    if (!entry) return;
    data.dataset ??= entry.dataset;
    data.classification ??= entry.classification;
    if (entry.owner_department) data.owner_department ??= entry.owner_department;
  }
}
