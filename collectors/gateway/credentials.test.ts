import type { IncomingMessage } from 'node:http';
import { collectorToken } from './credentials';
import { parseTag } from './tag';

const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;
const TOKEN = 'cst_ab12_Zm9v-YmFy_x';

describe('collector credentials', () => {
  it('reads Bearer, ApiKey base64(id:key), a bare ApiKey token, and Basic with the token as password', () => {
    expect(collectorToken(req(`Bearer ${TOKEN}`))).toBe(TOKEN);
    expect(collectorToken(req(`ApiKey ${Buffer.from(`any-id:${TOKEN}`).toString('base64')}`))).toBe(TOKEN);
    expect(collectorToken(req(`ApiKey ${TOKEN}`))).toBe(TOKEN);
    expect(collectorToken(req(`Basic ${Buffer.from(`fluent-bit:${TOKEN}`).toString('base64')}`))).toBe(TOKEN);
  });

  it('has none for a missing or unknown scheme', () => {
    expect(collectorToken(req())).toBeUndefined();
    expect(collectorToken(req(`Digest ${TOKEN}`))).toBeUndefined();
    expect(collectorToken(req('Basic !!!'))).toBeUndefined();
  });
});

describe('Fluent Bit tags', () => {
  it('say source, department and host; the host may contain dots; _ leaves a part unsaid', () => {
    expect(parseTag('citysoc.hdfs-audit.dsj.nn-01.city.gov')).toEqual({ source: 'hdfs-audit', department: 'dsj', host: 'nn-01.city.gov' });
    expect(parseTag('openssh._.web-01')).toEqual({ source: 'openssh', department: undefined, host: 'web-01' });
    expect(parseTag('citysoc.auto')).toEqual({ source: 'auto', department: undefined, host: undefined });
    expect(parseTag(undefined)).toEqual({});
  });
});
