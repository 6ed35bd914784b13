/**
 * The `playbooks` section of the configuration. Secrets (the SMTP password, the firewall token)
 * belong in the environment or a file readable only by the service, like the platform's others.
 */
import { z } from 'zod';
import { parseCidr } from '../core/query/ip';

const Bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const Num = (min: number, max: number, dflt: number) => z.coerce.number().min(min).max(max).default(dflt);
const Int = (min: number, max: number, dflt: number) => z.coerce.number().int().min(min).max(max).default(dflt);

const Origin = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s;
    } catch {
      return false;
    }
  },
  { message: 'an origin such as https://fw.example.gov:8443 (scheme, host and port, no path)' },
);

const Cidr = z.string().refine((s) => parseCidr(s) !== null, { message: 'a CIDR block such as 10.0.0.0/8' });

export const PlaybooksConfigSchema = z.strictObject({
  enabled: Bool.default(true),
  /** Serve the Node-RED editor and admin API under /playbooks/editor. */
  editor: Bool.default(true),
  /** Enable shipped playbooks when they are first installed (as `system`); otherwise an author enables them. */
  enableShipped: Bool.default(false),
  /** Runs with messages moving at once; further triggers wait in the bus. */
  maxActiveRuns: Int(1, 100_000, 200),
  stepTimeoutSeconds: Int(1, 3600, 60),
  retry: z
    .strictObject({
      attempts: Int(1, 20, 4),
      baseMs: Int(10, 3_600_000, 2_000),
      maxMs: Int(10, 86_400_000, 300_000),
      jitter: Num(0, 1, 0.2),
    })
    .prefault({}),
  approvalTimeoutHours: Num(0.01, 720, 24),
  /** Finished runs are kept this long. */
  runRetentionDays: Int(1, 3650, 180),
  /** How often a replica checks for deploys and enablements made on others. */
  syncSeconds: Int(1, 3600, 5),
  /** Editor access tokens (Node-RED's own, never issued) expire after this; the CitySOC session governs. */
  editorSessionHours: Int(1, 168, 8),
  outbound: z
    .strictObject({
      /** Origins playbooks may reach (webhooks, firewall, http request); nothing else. */
      allow: z.array(Origin).default([]),
      timeoutMs: Int(100, 120_000, 10_000),
      maxResponseBytes: Int(1024, 16 * 1024 * 1024, 128 * 1024),
    })
    .prefault({}),
  mail: z
    .strictObject({
      host: z.string().min(1),
      port: Int(1, 65_535, 587),
      secure: Bool.default(false),
      requireTls: Bool.default(true),
      from: z.string().min(3),
      user: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      timeoutMs: Int(100, 120_000, 10_000),
    })
    .optional(),
  /** A webhook the `block source` node also calls (its origin must be in outbound.allow). */
  firewall: z.strictObject({ url: z.url(), token: z.string().min(1).optional() }).optional(),
  /** Blocks playbooks never block (the platform's own networks). */
  protectedSources: z.array(Cidr).default(['127.0.0.0/8', '::1/128']),
});

export type PlaybooksConfig = z.infer<typeof PlaybooksConfigSchema>;
