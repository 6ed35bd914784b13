/**
 * UEBA's features, as data: for each kind of entity (user, host, dataset) the per-hour
 * aggregates computed over its events, which of them get a baseline and how (log or linear scale,
 * the smallest spread a baseline may claim), and the categorical values whose first appearance
 * for a user is itself worth a look. One definition; the embedded engine and the Flink compiler
 * both read it, so the two cannot drift apart.
 */
import type { ColumnName } from './columns';
import { all, is, type Predicate } from './predicate';

export type EntityType = 'user' | 'host' | 'dataset';

export interface FeatureDef {
  /** snake_case; becomes column names `f_<name>`, `z_<name>` in Flink. */
  readonly name: string;
  readonly agg: 'count' | 'sum' | 'distinct' | 'max';
  /** The column summed, counted distinct, or ranked (max). */
  readonly of?: ColumnName;
  readonly where?: Predicate;
  /** For `max`: the rank of each value (others rank 0). */
  readonly rank?: Readonly<Record<string, number>>;
  /** Baseline and anomaly model; absent: the value is kept for context only. */
  readonly model?: {
    /** Volumes are heavy-tailed: compared as ln(1 + x). Small counts stay linear. */
    readonly scale: 'log' | 'linear';
    /** The least standard deviation a baseline is given, in the feature's scale. */
    readonly minStd: number;
    /** Its own z-score threshold, where the configured one is too blunt. */
    readonly zThreshold?: number;
  };
  readonly label: { readonly zh: string; readonly en: string };
  /**
   * Features that measure one behaviour (exports counted, records exported, bytes exported) share
   * a family: in an hour, only the family's strongest anomaly is a risk input, so one export is
   * not counted three times.
   */
  readonly family?: string;
  /** How much more an anomaly of this feature weighs than others (default 1); configuration may override. */
  readonly weight?: number;
}

export interface EntitySet {
  readonly entity: EntityType;
  readonly key: ColumnName;
  /** Events that count for this kind of entity at all. */
  readonly where?: Predicate;
  /** Where the entity's department comes from (the largest value in the hour, for determinism). */
  readonly department: ColumnName;
  /** Where a user's role comes from (for static peer groups). */
  readonly role?: ColumnName;
  /** Judge the hour of the week (a person or a server has working hours; a dataset used by many does not). */
  readonly hourOfWeek: boolean;
  readonly features: readonly FeatureDef[];
}

export interface RarityKind {
  /** The anomaly's feature name is `new_<kind>`. */
  readonly kind: string;
  readonly of: ColumnName;
  readonly where?: Predicate;
  readonly label: { readonly zh: string; readonly en: string };
}

export const CLASSIFICATION_RANK: Readonly<Record<string, number>> = { 公开: 1, 内部: 2, 敏感: 3, 涉密: 4 };
export const CRITICALITY_RANK: Readonly<Record<string, number>> = { low: 1, medium: 2, high: 3, critical: 4 };

const READ = is('data_action', 'read', 'query', 'list');
const EXPORT = is('data_action', 'export');
const GRANT = is('data_action', 'grant');
const SSH_LOGIN = is('event_action', 'ssh_login');
const log = (minStd: number) => ({ scale: 'log' as const, minStd });
const linear = (minStd: number) => ({ scale: 'linear' as const, minStd });

/**
 * What a user did, not what was tried with the account: an attacker failing to log in as someone
 * is the host's and the attacker's story (and would otherwise end a dormant account's silence).
 */
export const USER: EntitySet = {
  entity: 'user',
  key: 'user',
  where: is('outcome', 'success'),
  department: 'user_department',
  role: 'user_role',
  hourOfWeek: true,
  features: [
    { name: 'events', agg: 'count', model: log(0.5), label: { zh: '事件数', en: 'events' } },
    { name: 'data_reads', agg: 'count', where: READ, family: 'read', model: log(0.5), label: { zh: '数据读取次数', en: 'data reads' } },
    { name: 'exports', agg: 'count', where: EXPORT, family: 'export', model: log(0.5), label: { zh: '导出次数', en: 'exports' } },
    { name: 'records_read', agg: 'sum', of: 'records', where: READ, family: 'read', model: log(0.75), label: { zh: '读取记录数', en: 'records read' } },
    {
      name: 'records_exported',
      agg: 'sum',
      of: 'records',
      where: EXPORT,
      family: 'export',
      model: log(0.75),
      label: { zh: '导出记录数', en: 'records exported' },
    },
    { name: 'bytes_exported', agg: 'sum', of: 'bytes', where: EXPORT, family: 'export', model: log(0.75), label: { zh: '导出字节数', en: 'bytes exported' } },
    { name: 'distinct_datasets', agg: 'distinct', of: 'dataset', model: linear(1), label: { zh: '访问数据集数', en: 'distinct datasets' } },
    { name: 'distinct_hosts', agg: 'distinct', of: 'host', model: linear(1), label: { zh: '访问主机数', en: 'distinct hosts' } },
    {
      name: 'distinct_source_subnets',
      agg: 'distinct',
      of: 'source_subnet',
      model: { scale: 'linear', minStd: 0.25, zThreshold: 3 },
      label: { zh: '来源网段数', en: 'distinct source networks' },
    },
    {
      name: 'distinct_owner_departments',
      agg: 'distinct',
      of: 'owner_department',
      model: linear(0.5),
      label: { zh: '涉及数据所属部门数', en: 'distinct data-owning departments' },
    },
    {
      name: 'foreign_reads',
      agg: 'count',
      where: all(READ, { col: 'owner_department', differsFrom: 'user_department' }),
      model: log(0.5),
      label: { zh: '读取其他部门数据次数', en: 'reads of other departments’ data' },
    },
    {
      name: 'classified_reads',
      agg: 'count',
      where: all(READ, is('classification', '涉密')),
      family: 'sensitive',
      model: log(0.5),
      label: { zh: '涉密数据读取次数', en: 'reads of 涉密 data' },
    },
    {
      name: 'sensitive_reads',
      agg: 'count',
      where: all(READ, is('classification', '敏感', '涉密')),
      family: 'sensitive',
      model: log(0.5),
      label: { zh: '敏感及以上数据读取次数', en: 'reads of 敏感/涉密 data' },
    },
    { name: 'grants', agg: 'count', where: GRANT, family: 'grant', weight: 1.5, model: log(0.5), label: { zh: '授权操作次数', en: 'grants' } },
    {
      name: 'self_grants',
      agg: 'count',
      where: all(GRANT, { col: 'grantee', sameAs: 'user' }),
      family: 'grant',
      weight: 2.5,
      model: linear(0.25),
      label: { zh: '给自己授权次数', en: 'grants to oneself' },
    },
    { name: 'logins', agg: 'count', where: SSH_LOGIN, model: log(0.5), label: { zh: '登录次数', en: 'logins' } },
    {
      name: 'max_classification',
      agg: 'max',
      of: 'classification',
      rank: CLASSIFICATION_RANK,
      label: { zh: '最高数据密级', en: 'highest classification touched' },
    },
  ],
};

export const HOST: EntitySet = {
  entity: 'host',
  key: 'host',
  where: is('event_action', 'ssh_login', 'invalid_user'),
  department: 'asset_department',
  hourOfWeek: true,
  features: [
    { name: 'logins', agg: 'count', where: all(SSH_LOGIN, is('outcome', 'success')), model: log(0.5), label: { zh: '登录次数', en: 'logins' } },
    {
      name: 'failed_logins',
      agg: 'count',
      where: all(SSH_LOGIN, is('outcome', 'failure')),
      family: 'failures',
      model: log(0.5),
      label: { zh: '登录失败次数', en: 'failed logins' },
    },
    {
      name: 'distinct_failed_users',
      agg: 'distinct',
      family: 'failures',
      of: 'user',
      where: all(SSH_LOGIN, is('outcome', 'failure')),
      model: linear(1),
      label: { zh: '登录失败的不同账号数', en: 'distinct accounts failing to log in' },
    },
    {
      name: 'distinct_users',
      agg: 'distinct',
      of: 'user',
      where: all(SSH_LOGIN, is('outcome', 'success')),
      model: linear(1),
      label: { zh: '登录账号数', en: 'distinct accounts logged in' },
    },
    { name: 'distinct_source_ips', agg: 'distinct', of: 'source_ip', model: linear(1), label: { zh: '来源地址数', en: 'distinct source addresses' } },
    { name: 'max_criticality', agg: 'max', of: 'asset_criticality', rank: CRITICALITY_RANK, label: { zh: '资产重要性', en: 'asset criticality' } },
  ],
};

export const DATASET: EntitySet = {
  entity: 'dataset',
  key: 'dataset',
  department: 'owner_department',
  hourOfWeek: false,
  features: [
    { name: 'accesses', agg: 'count', family: 'read', model: log(0.5), label: { zh: '访问次数', en: 'accesses' } },
    { name: 'distinct_users', agg: 'distinct', of: 'user', model: linear(1), label: { zh: '访问账号数', en: 'distinct users' } },
    {
      name: 'distinct_user_departments',
      agg: 'distinct',
      of: 'user_department',
      model: linear(0.5),
      label: { zh: '访问者部门数', en: 'distinct departments of users' },
    },
    { name: 'records_read', agg: 'sum', of: 'records', where: READ, family: 'read', model: log(0.75), label: { zh: '读取记录数', en: 'records read' } },
    { name: 'exports', agg: 'count', where: EXPORT, family: 'export', model: log(0.5), label: { zh: '导出次数', en: 'exports' } },
    {
      name: 'records_exported',
      agg: 'sum',
      of: 'records',
      where: EXPORT,
      family: 'export',
      model: log(0.75),
      label: { zh: '导出记录数', en: 'records exported' },
    },
    { name: 'max_classification', agg: 'max', of: 'classification', rank: CLASSIFICATION_RANK, label: { zh: '数据密级', en: 'classification' } },
  ],
};

export const ENTITY_SETS: readonly EntitySet[] = [USER, HOST, DATASET];

// Only what succeeded is contact: someone else trying an account's password is not the account's activity.
const DONE: Predicate = is('outcome', 'success');

/** First time a user touches one of these is a categorical anomaly (once the user has history). */
export const RARITY: readonly RarityKind[] = [
  { kind: 'dataset', of: 'dataset', where: DONE, label: { zh: '首次访问该数据集', en: 'first access to this dataset' } },
  { kind: 'owner_department', of: 'owner_department', where: DONE, label: { zh: '首次访问该部门的数据', en: 'first access to this department’s data' } },
  { kind: 'host', of: 'host', where: all(SSH_LOGIN, is('outcome', 'success')), label: { zh: '首次登录该主机', en: 'first login to this host' } },
  { kind: 'source_subnet', of: 'source_subnet', where: DONE, label: { zh: '首次从该网段访问', en: 'first activity from this network' } },
];

export function modeled(set: EntitySet): FeatureDef[] {
  return set.features.filter((f) => f.model !== undefined);
}

export function entitySet(type: EntityType): EntitySet {
  const s = ENTITY_SETS.find((x) => x.entity === type);
  if (!s) throw new Error(`no UEBA entity set for ${type}`);
  return s;
}
