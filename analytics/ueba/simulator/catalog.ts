/**
 * What a city brain's data platform holds: the departments (委办局) that feed it, the datasets
 * each owns with their classification, and the roles people work in. Identifiers are pinyin so
 * they are valid everywhere (Hive databases, MySQL schemas, Linux accounts); labels are Chinese.
 */
import type { Classification } from '../../../core/event';

export type Platform = 'hive' | 'hdfs' | 'mysql' | 'postgresql';

export interface DatasetTemplate {
  readonly name: string;
  readonly label: string;
  readonly classification: Classification;
  readonly platform: Platform;
}

export interface DepartmentTemplate {
  readonly code: string;
  readonly name: string;
  readonly en: string;
  /** Relative size: share of the city's users. */
  readonly weight: number;
  /** Runs a 24-hour duty roster (值班): some of its people work nights. */
  readonly shifts: boolean;
  /** Which other departments' datasets it is usually granted (数据共享 agreements), by code. */
  readonly consumes: readonly string[];
  readonly datasets: readonly DatasetTemplate[];
}

const ds = (name: string, label: string, classification: Classification, platform: Platform): DatasetTemplate => ({ name, label, classification, platform });

export const DEPARTMENTS: readonly DepartmentTemplate[] = [
  {
    code: 'ga',
    name: '公安',
    en: 'Public Security Bureau',
    weight: 3,
    shifts: true,
    consumes: ['jt', 'mz', 'dsj'],
    datasets: [
      ds('hukou', '户籍人口', '敏感', 'hive'),
      ds('zaitao', '在逃人员', '涉密', 'hive'),
      ds('jingqing', '警情记录', '内部', 'hive'),
      ds('kakou', '卡口过车', '敏感', 'hdfs'),
      ds('anjian', '刑事案件', '涉密', 'mysql'),
      ds('weifa', '治安违法', '内部', 'postgresql'),
    ],
  },
  {
    code: 'cg',
    name: '城管',
    en: 'Urban Management Bureau',
    weight: 1.5,
    shifts: false,
    consumes: ['ga', 'sj'],
    datasets: [
      ds('tanfan', '流动摊贩', '内部', 'hive'),
      ds('weijian', '违章建筑', '内部', 'mysql'),
      ds('shijian', '城市事件', '公开', 'hive'),
      ds('jiankong', '视频监控点位', '敏感', 'hdfs'),
    ],
  },
  {
    code: 'wjw',
    name: '卫健委',
    en: 'Health Commission',
    weight: 1.5,
    shifts: false,
    consumes: ['mz', 'rs'],
    datasets: [
      ds('dianzibingli', '电子病历', '敏感', 'postgresql'),
      ds('yimiao', '疫苗接种', '敏感', 'hive'),
      ds('chuanranbing', '传染病报告', '涉密', 'hive'),
      ds('yiliaojigou', '医疗机构', '公开', 'mysql'),
      ds('jiankangma', '健康码', '敏感', 'hdfs'),
    ],
  },
  {
    code: 'jt',
    name: '交通',
    en: 'Transport Bureau',
    weight: 1.5,
    shifts: false,
    consumes: ['ga', 'yj'],
    datasets: [
      ds('gongjiao', '公交GPS', '公开', 'hdfs'),
      ds('wangyueche', '网约车订单', '内部', 'hive'),
      ds('weizhang', '交通违章', '内部', 'mysql'),
      ds('liuliang', '路网流量', '公开', 'hive'),
      ds('jiashiyuan', '驾驶员信息', '敏感', 'postgresql'),
    ],
  },
  {
    code: 'yj',
    name: '应急',
    en: 'Emergency Management Bureau',
    weight: 1,
    shifts: true,
    consumes: ['jt', 'wjw', 'ga'],
    datasets: [
      ds('yuan', '应急预案', '内部', 'mysql'),
      ds('weixianyuan', '危险源', '敏感', 'hive'),
      ds('zaiqing', '灾情上报', '内部', 'hive'),
      ds('wuzi', '应急物资', '内部', 'postgresql'),
    ],
  },
  {
    code: 'jy',
    name: '教育',
    en: 'Education Bureau',
    weight: 1.5,
    shifts: false,
    consumes: ['mz', 'wjw'],
    datasets: [
      ds('xueji', '学籍', '敏感', 'mysql'),
      ds('jiaoshi', '教师信息', '敏感', 'postgresql'),
      ds('xuexiao', '学校名录', '公开', 'hive'),
      ds('kaoshi', '考试成绩', '涉密', 'hive'),
    ],
  },
  {
    code: 'mz',
    name: '民政',
    en: 'Civil Affairs Bureau',
    weight: 1,
    shifts: false,
    consumes: ['ga', 'rs'],
    datasets: [ds('dibao', '低保对象', '敏感', 'hive'), ds('hunyin', '婚姻登记', '敏感', 'mysql'), ds('shehuizuzhi', '社会组织', '公开', 'hive')],
  },
  {
    code: 'rs',
    name: '人社',
    en: 'Human Resources and Social Security Bureau',
    weight: 1,
    shifts: false,
    consumes: ['mz', 'sj'],
    datasets: [ds('shebao', '社保缴纳', '敏感', 'hive'), ds('jiuye', '就业登记', '内部', 'postgresql'), ds('gongzi', '工资发放', '涉密', 'mysql')],
  },
  {
    code: 'sj',
    name: '市场监管',
    en: 'Market Regulation Administration',
    weight: 1,
    shifts: false,
    consumes: ['rs', 'wjw'],
    datasets: [ds('qiye', '企业登记', '公开', 'hive'), ds('shipin', '食品抽检', '内部', 'mysql'), ds('tousu', '消费投诉', '内部', 'hive')],
  },
  {
    code: 'dsj',
    name: '大数据局',
    en: 'Big Data Bureau',
    weight: 1,
    shifts: false,
    consumes: ['ga', 'rs', 'mz', 'sj'],
    datasets: [ds('renkouku', '人口库', '涉密', 'hive'), ds('farenku', '法人库', '内部', 'hive'), ds('dianzizhengzhao', '电子证照', '敏感', 'hdfs')],
  },
];

export const ROLE_NAMES = ['analyst', 'officer', 'developer', 'ops', 'dba', 'manager', 'duty'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export interface RoleProfile {
  readonly label: string;
  /** Share of a department's people (duty only in departments with shifts). */
  readonly share: number;
  /** Mean activities on a working day. */
  readonly activitiesPerDay: number;
  /** Relative weights of what the activities are. */
  readonly mix: Readonly<Record<ActivityKind, number>>;
  /** Chance per working day of exporting (a report, a data delivery). */
  readonly exportPerDay: number;
}

export type ActivityKind = 'dataset' | 'shared_api' | 'ssh' | 'grant';

export const ROLES: Readonly<Record<RoleName, RoleProfile>> = {
  analyst: { label: '数据分析员', share: 0.3, activitiesPerDay: 30, mix: { dataset: 0.75, shared_api: 0.25, ssh: 0, grant: 0 }, exportPerDay: 0.12 },
  officer: { label: '业务人员', share: 0.3, activitiesPerDay: 14, mix: { dataset: 0.3, shared_api: 0.7, ssh: 0, grant: 0 }, exportPerDay: 0.05 },
  developer: { label: '开发工程师', share: 0.15, activitiesPerDay: 32, mix: { dataset: 0.75, shared_api: 0.05, ssh: 0.2, grant: 0 }, exportPerDay: 0.02 },
  ops: { label: '运维工程师', share: 0.08, activitiesPerDay: 22, mix: { dataset: 0.25, shared_api: 0, ssh: 0.75, grant: 0 }, exportPerDay: 0 },
  dba: { label: '数据库管理员', share: 0.04, activitiesPerDay: 26, mix: { dataset: 0.8, shared_api: 0, ssh: 0.12, grant: 0.08 }, exportPerDay: 0 },
  manager: { label: '科室负责人', share: 0.08, activitiesPerDay: 5, mix: { dataset: 0.3, shared_api: 0.7, ssh: 0, grant: 0 }, exportPerDay: 0.08 },
  duty: { label: '值班员', share: 0.1, activitiesPerDay: 16, mix: { dataset: 0.5, shared_api: 0.5, ssh: 0, grant: 0 }, exportPerDay: 0.02 },
};

export const SURNAMES = [
  'zhang',
  'wang',
  'li',
  'zhao',
  'liu',
  'chen',
  'yang',
  'huang',
  'zhou',
  'wu',
  'xu',
  'sun',
  'ma',
  'zhu',
  'hu',
  'guo',
  'he',
  'lin',
  'luo',
  'gao',
];
export const GIVEN = [
  'wei',
  'fang',
  'na',
  'min',
  'jing',
  'lei',
  'qiang',
  'jun',
  'yang',
  'yan',
  'jie',
  'tao',
  'ming',
  'chao',
  'xiu',
  'hua',
  'ping',
  'gang',
  'hui',
  'ling',
];

/** Account names attackers try in a password spray (besides real ones they harvested). */
export const SPRAY_NAMES = [
  'admin',
  'root',
  'test',
  'oracle',
  'postgres',
  'mysql',
  'hadoop',
  'hive',
  'user',
  'guest',
  'ftp',
  'www',
  'deploy',
  'backup',
  'zabbix',
];
