/** The alerts module: the alert queue, one alert, status moves, comments and assignment over GraphQL. */
import { bind } from '../core/door';
import { defineModule, KERNEL } from '../core/module';
import type { IdentityKernel } from '../identity/module';
import type { PolicyServices } from '../policy/services';
import { alertGraphQL } from './graphql';
import { alertActions } from './service';

export const alertsModule = defineModule({
  name: 'alerts',
  dependsOn: [KERNEL.identity, KERNEL.policy],
  async start(ctx) {
    const identity = ctx.services.get<IdentityKernel>(KERNEL.identity);
    const policy = ctx.services.get<PolicyServices>(KERNEL.policy);
    const svc = bind(
      ctx.door,
      alertActions({
        store: ctx.ports.alerts,
        authorizer: policy.authorizer,
        users: (username) => {
          const u = identity.store.user(username);
          return u && !u.disabled ? { roles: u.roles, department: u.department } : null;
        },
        state: ctx.ports.state,
      }),
    );
    return { services: svc, graphql: alertGraphQL(svc) };
  },
});
