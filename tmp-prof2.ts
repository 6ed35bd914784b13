import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDetect } from './analytics/cli/detect';
import { flatSysmonEvents } from './bench/sigma-events';
const dir = '/tmp/prof-fixed'; require('node:fs').mkdirSync(dir, { recursive: true });
const file = join(dir, 'e.jsonl');
writeFileSync(file, flatSysmonEvents(20000).join('\n') + '\n');
(async () => {
  const rules = ['/work/shared/data/sigma/rules/windows'];
  const io = { out: () => {}, err: () => {} };
  await runDetect({ rules, pipeline: 'windows', files: [file], cacheDir: join(dir, 'c') }, io);
})();
