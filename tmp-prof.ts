import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDetect } from './analytics/cli/detect';
import { flatSysmonEvents } from './bench/sigma-events';
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const file = join(dir, 'e.jsonl'); const one = join(dir, 'one.jsonl');
const lines = flatSysmonEvents(20000); writeFileSync(file, lines.join('\n') + '\n'); writeFileSync(one, lines[0] + '\n');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
(async () => {
  const rules = ['/work/shared/data/sigma/rules/windows'];
  let out = 0; const io = { out: () => { out++; }, err: (s: string) => { if (!s.includes('rule skipped')) console.log(s); } };
  let t = cpu(); await runDetect({ rules, pipeline: 'windows', files: [one], cacheDir: join(dir, 'c') }, io); console.log('cold one', (cpu() - t).toFixed(2));
  t = cpu(); await runDetect({ rules, pipeline: 'windows', files: [one], cacheDir: join(dir, 'c') }, io); console.log('warm one', (cpu() - t).toFixed(2));
  t = cpu(); out = 0; await runDetect({ rules, pipeline: 'windows', files: [file], cacheDir: join(dir, 'c') }, io); const s = cpu() - t; console.log('20k', s.toFixed(2), (20000 / s).toFixed(0), 'ev/s', out, 'alerts');
})();
