/** The report as one self-contained HTML page, zh-CN first with English beside it; every value escaped. */
import { type ComplianceReport, STATUS_TEXT } from './report';
import type { Text } from './gb22239';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const both = (x: Text) => `<span lang="zh-CN">${esc(x.zh)}</span><br><span lang="en" class="en">${esc(x.en)}</span>`;

export function renderHtml(r: ComplianceReport): string {
  const e = r.evidence;
  const period = `${e.period.from ?? '—'} … ${e.period.to ?? '—'}`;
  const rows = r.items
    .map((i) => `<tr class="${i.status}"><td>${esc(i.id)}</td><td>${both(i.area)}</td><td>${both(STATUS_TEXT[i.status])}</td></tr>`)
    .join('\n');
  const sections = r.items
    .map(
      (
        i,
      ) => `<section id="${esc(i.id)}"><h2>${esc(i.id)} ${esc(i.area.zh)} ${esc(i.area.en)} — ${esc(STATUS_TEXT[i.status].zh)} / ${esc(STATUS_TEXT[i.status].en)}</h2>
<p class="req">${both(i.requirement)}</p>
<h3>证据 Evidence</h3><ul>${i.evidence.map((x) => `<li>${both(x)}</li>`).join('') || '<li>—</li>'}</ul>
<h3>差距 Gaps</h3><ul>${i.gaps.map((x) => `<li>${both(x)}</li>`).join('') || '<li>—</li>'}</ul></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(r.title.zh)}</title>
<style>body{font-family:"Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:60rem;margin:2rem auto;line-height:1.5}
.en{color:#555}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}
tr.met td:last-child{background:#e6f4ea}tr.partial td:last-child{background:#fff4e5}tr.gap td:last-child{background:#fdecea}.req{font-style:italic}</style></head>
<body><h1>${both(r.title)}</h1>
<p>时段 Period: ${esc(period)}<br>生成时间 Generated: ${esc(e.generatedAt)}<br>部署形态 Profile: ${esc(e.config.profile)}</p>
<h2>概要 Summary</h2><p>已证明 evidenced ${r.summary.met} · 部分证明 partly evidenced ${r.summary.partial} · 差距 gaps ${r.summary.gap}</p>
<table><thead><tr><th>条款 Clause</th><th>领域 Area</th><th>结论 Finding</th></tr></thead><tbody>
${rows}
</tbody></table>
${sections}
</body></html>
`;
}
