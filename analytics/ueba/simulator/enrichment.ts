/**
 * The simulated city's reference data in the shapes CitySOC's enrichment reads
 * (collectors/enrich/reference-data.ts): the asset inventory (servers and workstations with their
 * department), the identity directory (people with department and role) and the data catalog
 * (datasets with resource prefixes, classification and owner). Ingest enriches every simulated
 * event from them exactly as it would a real city's.
 */
import type { Asset, DatasetEntry, Identity } from '../../../collectors/enrich/reference-data';
import type { City } from './city';

export function assetsOf(city: City): Asset[] {
  return city.hosts.map((h) => ({
    id: h.name,
    name: h.name,
    hostnames: [h.name],
    ips: [h.ip],
    type: h.type,
    criticality: h.criticality,
    department: h.department,
    ...(h.owner ? { owner: h.owner } : {}),
  }));
}

export function identitiesOf(city: City): Identity[] {
  return city.people.map((p) => ({
    user: p.name,
    aliases: [],
    full_name: p.fullName,
    department: p.department,
    roles: [p.role],
    privileged: p.role === 'ops' || p.role === 'dba',
  }));
}

export function datasetsOf(city: City): DatasetEntry[] {
  return city.datasets.map((d) => ({ dataset: d.id, resources: [...d.resources], classification: d.classification, owner_department: d.department }));
}
