/**
 * react-admin's dataProvider over CitySOC's GraphQL API, written by hand: each resource's
 * documents and result mapping live in its own file (ra-data-graphql builds queries by
 * introspection and brings Apollo, neither of which fits a schema whose fields take their own
 * arguments). A method a resource does not offer is refused with a clear message.
 */
import type { DataProvider } from 'ra-core';
import { alerts } from './alerts';
import { apiTokens } from './apiTokens';
import { audit } from './audit';
import { cases } from './cases';
import { emergencyGrants } from './emergencyGrants';
import { entities } from './entities';
import { events } from './events';
import { isolations } from './isolations';
import { playbookApprovals, playbookRuns, playbooks } from './playbooks';
import { policies } from './policies';
import type { ResourceAdapter } from './resource';
import { rules } from './rules';
import { sources } from './sources';
import { users } from './users';

export const RESOURCES: Readonly<Record<string, ResourceAdapter>> = {
  alerts,
  events,
  audit,
  users,
  apiTokens,
  policies,
  emergencyGrants,
  isolations,
  playbooks,
  playbookRuns,
  playbookApprovals,
  rules,
  sources,
  entities,
  cases,
};

function method<K extends keyof ResourceAdapter>(resource: string, name: K): NonNullable<ResourceAdapter[K]> {
  const m = RESOURCES[resource]?.[name];
  if (!m) throw new Error(`the console cannot ${name} ${resource}: the API offers no such call`);
  return m.bind(RESOURCES[resource]) as NonNullable<ResourceAdapter[K]>;
}

export const dataProvider: DataProvider = {
  getList: async (resource, params) => method(resource, 'getList')(params),
  getOne: async (resource, params) => method(resource, 'getOne')(params),
  getMany: async (resource, params) => method(resource, 'getMany')(params),
  getManyReference: (resource) => Promise.reject(new Error(`the console cannot getManyReference ${resource}: the API offers no such call`)),
  create: async (resource, params) => method(resource, 'create')(params),
  update: async (resource, params) => method(resource, 'update')(params),
  updateMany: async (resource, params) => method(resource, 'updateMany')(params),
  delete: async (resource, params) => method(resource, 'delete')(params),
  deleteMany: (resource) => Promise.reject(new Error(`the console cannot deleteMany ${resource}: the API offers no such call`)),
} as DataProvider;
