/** The alerts module: the alert queue, one alert, status moves and comments over GraphQL. */
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
      alertActions(ctx.ports.alerts, (username, department) => {
        const u = identity.store.user(username);
        if (!u || u.disabled) return 'unknown';
        const d = policy.authorizer.decide({
          subject: { user: u.username, roles: u.roles, ...(u.department ? { department: u.department } : {}) },
          resource: { type: 'alerts', ...(department ? { department } : {}) },
          action: 'write',
          context: {},
        });
        return d.decision === 'allow' ? 'ok' : 'forbidden';
      }),
    );
    return { services: svc, graphql: alertGraphQL(svc) };
  },
});
