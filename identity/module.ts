/**
 * The identity module: sign-in, the caller's account, users, API tokens, departments over GraphQL,
 * and the host operator's password reset at the command line. The identity store itself is part
 * of the platform's kernel (the door needs it before any module starts): see server/kernel.ts.
 */
import { bind } from '../core/door';
import { defineModule, KERNEL } from '../core/module';
import type { DepartmentCatalogue } from './departments';
import { identityGraphQL } from './graphql';
import { identityActions } from './service';
import type { IdentityStore } from './store';

/** What the kernel registers for the identity module. */
export interface IdentityKernel {
  readonly store: IdentityStore;
  readonly departments: DepartmentCatalogue;
}

export const IDENTITY_KERNEL = KERNEL.identity;

export const identityModule = defineModule({
  name: 'identity',
  dependsOn: [IDENTITY_KERNEL],
  async start(ctx) {
    const k = ctx.services.get<IdentityKernel>(IDENTITY_KERNEL);
    const svc = bind(ctx.door, identityActions(k));
    return {
      services: svc,
      graphql: identityGraphQL(svc),
      jobs: [{ name: 'identity.purge', intervalMs: 60 * 60_000, run: async () => void (await k.store.purgeExpiredSessions()) }],
    };
  },
});
