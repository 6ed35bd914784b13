/**
 * GB/T 22239-2019 (信息安全技术 网络安全等级保护基本要求), third level: the requirements of the
 * security computing environment (8.1.4) and security management centre (8.1.5) that CitySOC, as
 * the platform that keeps the city brain's audit trail, can give evidence for. Each requirement
 * judges the live evidence: what is shown is `met`, what is shown only in part is `partial` with
 * the missing part as a gap, and what CitySOC cannot show is a `gap` — never claimed.
 */
import type { Evidence } from './evidence';

export interface Text {
  readonly zh: string;
  readonly en: string;
}

export type Status = 'met' | 'partial' | 'gap';

export interface Finding {
  readonly status: Status;
  readonly evidence: readonly Text[];
  readonly gaps: readonly Text[];
}

export interface Requirement {
  /** Clause and item, e.g. 8.1.4.3 a). */
  readonly id: string;
  readonly area: Text;
  readonly requirement: Text;
  judge(e: Evidence): Finding;
}

const t = (zh: string, en: string): Text => ({ zh, en });

function finding(evidence: Text[], gaps: Text[]): Finding {
  return { status: gaps.length === 0 ? 'met' : evidence.length === 0 ? 'gap' : 'partial', evidence, gaps };
}

const AUDIT = t('安全审计', 'Security audit');
const AUTHN = t('身份鉴别', 'Identity authentication');
const ACCESS = t('访问控制', 'Access control');
const INTRUSION = t('入侵防范', 'Intrusion prevention');
const MALWARE = t('恶意代码防范', 'Malicious code prevention');
const CENTRE = t('集中管控', 'Centralized management and control');

const pct = (n: number, of: number) => (of === 0 ? '0' : ((100 * n) / of).toFixed(1));

function verified(e: Evidence) {
  return 'error' in e.verification ? null : e.verification;
}

export const GB22239_LEVEL3: readonly Requirement[] = [
  {
    id: '8.1.4.3 a)',
    area: AUDIT,
    requirement: t(
      '应启用安全审计功能，审计覆盖到每个用户，对重要的用户行为和重要安全事件进行审计',
      'Security audit shall be enabled, cover every user, and audit important user behaviour and important security events',
    ),
    judge(e) {
      const s = e.statistics;
      const kinds = Object.entries(s.byAction)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      const ev = [
        t(`审计记录 ${s.records} 条，涉及 ${s.actors} 个主体`, `${s.records} audit records by ${s.actors} actors in the period`),
        ...(s.records ? [t(`按类别：${kinds}`, `By kind: ${kinds}`)] : []),
        t(
          '每次 API 调用（允许或拒绝）、每次登录（成功或失败）和每次保留期执行都写入审计链',
          'Every API call (allowed or denied), every login (success or failure) and every retention run is appended to the trail',
        ),
      ];
      const gaps: Text[] = [];
      if (s.records === 0) gaps.push(t('所选时段内没有审计记录', 'No audit records in the period'));
      if (!s.byAction.auth) gaps.push(t('时段内没有登录审计记录', 'No sign-in records in the period'));
      return finding(s.records ? ev : [], gaps);
    },
  },
  {
    id: '8.1.4.3 b)',
    area: AUDIT,
    requirement: t(
      '审计记录应包括事件的日期和时间、用户、事件类型、事件是否成功及其他与审计相关的信息',
      'Audit records shall include the date and time, the user, the event type, whether it succeeded, and other relevant information',
    ),
    judge(e) {
      const s = e.statistics;
      const w = s.withField;
      const ev = [
        t(
          `含时间 ${w.at}/${s.records}，用户 ${w.actor}/${s.records}，事件类型 ${w.action}/${s.records}，结果 ${w.decision}/${s.records}`,
          `With time ${w.at}/${s.records}, user ${w.actor}/${s.records}, event type ${w.action}/${s.records}, outcome ${w.decision}/${s.records}`,
        ),
        t(
          `含来源地址 ${w.sourceIp} 条（${pct(w.sourceIp, s.records)}%），含客体 ${w.resource} 条`,
          `With source address ${w.sourceIp} (${pct(w.sourceIp, s.records)}%), with the object ${w.resource}`,
        ),
      ];
      const complete = s.records > 0 && w.at === s.records && w.actor === s.records && w.action === s.records && w.decision === s.records;
      return finding(
        s.records ? ev : [],
        complete ? [] : [t('有记录缺少必需字段，或时段内没有记录', 'Some records lack a required field, or there are none in the period')],
      );
    },
  },
  {
    id: '8.1.4.3 c)',
    area: AUDIT,
    requirement: t(
      '应对审计记录进行保护，定期备份，避免受到未预期的删除、修改或覆盖等',
      'Audit records shall be protected and backed up regularly against unexpected deletion, modification or overwriting',
    ),
    judge(e) {
      const v = verified(e);
      const c = e.config.audit;
      const ev: Text[] = [];
      const gaps: Text[] = [];
      if (!v)
        gaps.push(
          t(
            `审计链未能验证：${'error' in e.verification ? e.verification.error : ''}`,
            `The trail could not be verified: ${'error' in e.verification ? e.verification.error : ''}`,
          ),
        );
      else {
        ev.push(
          t(
            `哈希链（${v.suite === 'sm' ? 'SM3 + SM2' : 'SHA-256 + Ed25519'}）验证：${v.ok ? '完整' : `发现篡改，第 ${v.firstBad?.seq} 条 ${v.firstBad?.problem}`}，${v.checked} 条记录，${v.checkpointsVerified} 个签名检查点（可信密钥 ${v.trustedKeys}）`,
            `Hash chain (${v.suite === 'sm' ? 'SM3 + SM2' : 'SHA-256 + Ed25519'}) verification: ${v.ok ? 'intact' : `TAMPERED at record ${v.firstBad?.seq} (${v.firstBad?.problem})`}, ${v.checked} records, ${v.checkpointsVerified} signed checkpoints (trusted key ${v.trustedKeys})`,
          ),
          t(
            `检查点频率：每 ${c.checkpoint.everyRecords} 条或 ${c.checkpoint.everyMinutes} 分钟`,
            `Checkpoint cadence: every ${c.checkpoint.everyRecords} records or ${c.checkpoint.everyMinutes} minutes`,
          ),
        );
        if (!v.ok) gaps.push(t('审计链验证失败', 'Trail verification failed'));
        for (const u of v.unsigned)
          ev.push(t(`最新未签名记录：${u.fromSeq}–${u.toSeq}（${u.count} 条）`, `Newest unsigned stretch: ${u.fromSeq}–${u.toSeq} (${u.count})`));
      }
      if (c.anchors.length) ev.push(t(`外部锚定：${c.anchors.map((a) => a.type).join('、')}`, `External anchors: ${c.anchors.map((a) => a.type).join(', ')}`));
      else
        gaps.push(
          t(
            '未配置外部锚定（WORM 文件、syslog/HTTP 接收端或时间戳服务）：末尾截断或用被盗密钥重写无法发现',
            'No external anchors configured (WORM file, syslog/HTTP receiver or time-stamping authority): a truncated tail or one rewritten with a stolen key cannot be found',
          ),
        );
      if (v && v.anchors.checked)
        ev.push(t(`外部锚定核对：${v.anchors.matched}/${v.anchors.checked} 一致`, `Anchors checked: ${v.anchors.matched}/${v.anchors.checked} match`));
      return finding(ev, gaps);
    },
  },
  {
    id: '8.1.4.3 d)',
    area: AUDIT,
    requirement: t('应对审计进程进行保护，防止未经授权的中断', 'The audit process shall be protected against unauthorized interruption'),
    judge() {
      return finding(
        [
          t(
            '审计写入由独立写线程执行，无配置项可关闭；写入失败时请求被拒绝而非静默丢弃',
            'Audit writing runs in its own writer thread and cannot be switched off by configuration; a failed write refuses the request rather than dropping the record',
          ),
        ],
        [
          t(
            '操作系统层面对进程的保护（如 systemd 看门狗、进程监控）不在 CitySOC 范围内',
            'Protection of the process at the operating-system level (systemd watchdog, process monitoring) is outside CitySOC',
          ),
        ],
      );
    },
  },
  {
    id: '8.1.4.1 a)',
    area: AUTHN,
    requirement: t(
      '应对登录的用户进行身份标识和鉴别，身份标识具有唯一性，身份鉴别信息具有复杂度要求并定期更换',
      'Users shall be identified and authenticated with unique identities; authentication information shall be complex and changed periodically',
    ),
    judge() {
      return finding(
        [
          t(
            '用户名唯一；口令至少 12 位且含三类字符，scrypt 存储；首次启动的一次性口令必须修改',
            'Unique user names; passwords of at least 12 characters from three classes, stored with scrypt; the first-start one-time password must be changed',
          ),
        ],
        [t('不强制定期更换口令', 'Periodic password change is not enforced')],
      );
    },
  },
  {
    id: '8.1.4.1 b)',
    area: AUTHN,
    requirement: t(
      '应具有登录失败处理功能，应配置并启用结束会话、限制非法登录次数和当登录连接超时自动退出等相关措施',
      'Login failures shall be handled: sessions ended, failed attempts limited, and idle connections signed out',
    ),
    judge(e) {
      const a = e.config.auth;
      return finding(
        [
          t(
            `连续失败 ${a.maxFailedLogins} 次锁定 ${a.lockoutMinutes} 分钟`,
            `Locked for ${a.lockoutMinutes} minutes after ${a.maxFailedLogins} failed attempts`,
          ),
          t(`会话 ${a.sessionTtlMinutes} 分钟后失效；可注销会话`, `Sessions expire after ${a.sessionTtlMinutes} minutes; sign-out ends a session`),
        ],
        [],
      );
    },
  },
  {
    id: '8.1.4.1 d)',
    area: AUTHN,
    requirement: t(
      '应采用两种或两种以上组合的鉴别技术对用户进行身份鉴别，且其中一种至少应使用密码技术来实现',
      'Users shall be authenticated by two or more combined techniques, at least one of them cryptographic',
    ),
    judge() {
      return finding(
        [],
        [
          t(
            'CitySOC 本身不提供双因素鉴别；需由统一身份认证或反向代理提供',
            'CitySOC itself offers no second factor; it must come from the unified identity service or a reverse proxy',
          ),
        ],
      );
    },
  },
  {
    id: '8.1.4.2 b)',
    area: ACCESS,
    requirement: t('应重命名或删除默认账户，修改默认账户的默认口令', 'Default accounts shall be renamed or removed and their default passwords changed'),
    judge() {
      return finding(
        [
          t(
            '无默认口令：首次启动生成随机一次性口令，修改前其他操作均被拒绝',
            'No default password: first start makes a random one-time password, and nothing else works until it is changed',
          ),
        ],
        [],
      );
    },
  },
  {
    id: '8.1.4.2 e)–g)',
    area: ACCESS,
    requirement: t(
      '应由授权主体配置访问控制策略；访问控制粒度主体为用户级，客体为数据库表级；对重要主体和客体设置安全标记并控制访问',
      'Access control policy shall be set by authorized subjects, at user and table granularity, with security labels on important subjects and objects',
    ),
    judge(e) {
      const policy = e.statistics.byAction.policy ?? 0;
      return finding(
        [
          t(
            '策略决策点按用户、角色、部门、数据集与密级（公开/内部/敏感/涉密）、时间与网络区域判定；行过滤与字段脱敏',
            'The policy decision point decides by user, role, department, dataset and classification (公开/内部/敏感/涉密), time and network zone, with row filters and field masking',
          ),
          t(`时段内策略变更审计记录 ${policy} 条（含变更前后）`, `${policy} policy-change records in the period (with before and after)`),
        ],
        [],
      );
    },
  },
  {
    id: '8.1.4.4 c)',
    area: INTRUSION,
    requirement: t(
      '应通过设定终端接入方式或网络地址范围对通过网络进行管理的管理终端进行限制',
      'Management terminals shall be restricted by access method or network address range',
    ),
    judge(e) {
      const zones = e.config.policy.zones;
      return finding(
        [
          t(
            zones ? `按网络区域判定：${zones.map((z) => `${z.cidr}→${z.zone}`).join('，')}` : '使用默认网络区域（私网与回环为政务外网）',
            zones
              ? `Decisions by network zone: ${zones.map((z) => `${z.cidr}→${z.zone}`).join(', ')}`
              : 'Default network zones (private and loopback addresses are 政务外网)',
          ),
        ],
        zones ? [] : [t('未配置本单位的网络区域', 'The deployment has not configured its own network zones')],
      );
    },
  },
  {
    id: '8.1.4.4 f)',
    area: INTRUSION,
    requirement: t(
      '应能够检测到对重要节点进行入侵的行为，并在发生严重入侵事件时提供报警',
      'Intrusions into important nodes shall be detected, and serious intrusions raise an alarm',
    ),
    judge(e) {
      const on = e.config.detection.enabled;
      return finding(
        on
          ? [
              t(
                `Sigma 检测与关联已启用${e.detectionRules !== undefined ? `，加载规则 ${e.detectionRules} 条` : ''}；告警进入告警队列与剧本`,
                `Sigma detection and correlation enabled${e.detectionRules !== undefined ? `, ${e.detectionRules} rules loaded` : ''}; alerts go to the queue and playbooks`,
              ),
            ]
          : [],
        on ? [] : [t('检测已关闭（detection.enabled = false）', 'Detection is switched off (detection.enabled = false)')],
      );
    },
  },
  {
    id: '8.1.4.4 e)',
    area: INTRUSION,
    requirement: t('应能发现可能存在的已知漏洞，并在经过充分测试评估后，及时修补漏洞', 'Known vulnerabilities shall be found and patched after testing'),
    judge() {
      return finding(
        [],
        [t('CitySOC 不做漏洞扫描；需由漏洞管理系统提供', 'CitySOC does no vulnerability scanning; a vulnerability management system must provide it')],
      );
    },
  },
  {
    id: '8.1.4.5',
    area: MALWARE,
    requirement: t(
      '应采用免受恶意代码攻击的技术措施或主动免疫可信验证机制及时识别入侵和病毒行为，并将其有效阻断',
      'Malicious code shall be identified and blocked by protective measures or trusted verification',
    ),
    judge() {
      return finding(
        [],
        [
          t(
            'CitySOC 可通过规则发现恶意代码迹象，但不提供防病毒或可信验证；需由主机防护提供',
            'CitySOC can detect signs of malicious code through rules but offers no anti-virus or trusted verification; host protection must provide it',
          ),
        ],
      );
    },
  },
  {
    id: '8.1.5.4 e)',
    area: CENTRE,
    requirement: t(
      '应对分散在各个设备上的审计数据进行收集汇总和集中分析，并保证审计记录的留存时间符合法律法规要求',
      'Audit data from all devices shall be collected and analysed centrally, and kept as long as the law requires (at least six months)',
    ),
    judge(e) {
      const r = e.config.retention;
      const days = e.oldestRecord ? Math.floor((Date.parse(e.generatedAt) - Date.parse(e.oldestRecord)) / 86_400_000) : 0;
      const v = verified(e);
      const ev = [
        t(`审计记录保留 ${r.auditDays} 天，事件保留 ${r.eventsDays} 天`, `Audit records kept ${r.auditDays} days, events ${r.eventsDays} days`),
        t(`最早的审计记录：${e.oldestRecord ?? '无'}（${days} 天前）`, `Oldest audit record: ${e.oldestRecord ?? 'none'} (${days} days ago)`),
      ];
      if (v) {
        const pruned = v.chains.filter((c) => c.anchorSeq > 0);
        if (pruned.length)
          ev.push(
            t(
              `保留期删除止于签名检查点（${pruned.map((c) => `${c.chain}:${c.anchorSeq}`).join('，')}），且早于保留期`,
              `Retention removed records only up to signed checkpoints (${pruned.map((c) => `${c.chain}:${c.anchorSeq}`).join(', ')}) older than the retention period`,
            ),
          );
      }
      const gaps: Text[] = [];
      if (r.auditDays < 180 || r.eventsDays < 180) gaps.push(t('保留期短于 180 天', 'Retention shorter than 180 days'));
      if (days < 180)
        gaps.push(
          t(
            `审计链仅有 ${days} 天的记录，尚不能证明已留存六个月`,
            `The trail holds only ${days} days of records, so six months of retention cannot be shown yet`,
          ),
        );
      return finding(ev, gaps);
    },
  },
];
