/**
 * The harness as a process of its own, so a test can kill it (-9) and start it again on the same
 * data directory. Options come as JSON in CITYSOC_PLAYBOOKS_HARNESS; it prints `READY <url>`
 * once it serves, and stops cleanly on SIGTERM.
 */
import { ACTORS, grantPlaybookPolicy, SESSIONS } from './actors';
import { startHarness } from './harness';

interface Options {
  readonly dir: string;
  readonly config?: Record<string, unknown>;
  readonly directory?: { users?: Record<string, unknown>[]; datasets?: Record<string, unknown>[] };
  /** Playbooks (tab ids) the admin turns on at first start. */
  readonly enable?: string[];
}

async function main(): Promise<void> {
  const o = JSON.parse(process.env.CITYSOC_PLAYBOOKS_HARNESS ?? '{}') as Options;
  const h = await startHarness({
    dir: o.dir,
    sessions: SESSIONS,
    ...(o.config ? { config: o.config } : {}),
    ...(o.directory ? { directory: o.directory } : {}),
  });
  if (!h.t.policy.policies.getById('p', 'pb-analyst')) await grantPlaybookPolicy(h.t.policy);
  for (const id of o.enable ?? []) if (!h.pb.catalog.enabled(id)) await h.pb.services.enable(ACTORS.admin, { playbookId: id });
  process.stdout.write(`READY ${h.url}\n`);
  process.once('SIGTERM', () => {
    void h.stop().then(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`harness failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
