/**
 * A writer replica for the shared-trail test: appends records to the shared trail until killed,
 * printing each acknowledged record (`ack <chain> <seq> <hash>`) as soon as append() resolves.
 */
import { readFileSync } from 'node:fs';
import { signerFromPem } from '../../../core/audit-crypto';
import { SearchAuditLog } from '../audit-log';
import { elasticsearchApi, openSearchApi } from '../engine-api';

const [engine, url, prefix, chain, keyFile, count] = process.argv.slice(2) as [string, string, string, string, string, string];
const api = (engine === 'opensearch' ? openSearchApi : elasticsearchApi)({ node: [url] });
const log = new SearchAuditLog(api, { prefix, chain, signer: signerFromPem(readFileSync(keyFile, 'utf8')), cadence: { everyRecords: 7, everyMs: 600_000 } });

void (async () => {
  for (let i = 0; i < Number(count); i++) {
    const batch = Array.from({ length: 5 }, (_, k) =>
      log.append({ actor: `${chain}-user`, actorType: 'user', action: 'events.search', resource: `dataset:${i * 5 + k}`, decision: 'allow' }),
    );
    for (const r of await Promise.all(batch)) process.stdout.write(`ack ${r.chain} ${r.seq} ${r.hash}\n`);
  }
  await log.close();
  await api.close();
  process.stdout.write('done\n');
})();
