/**
 * The collector token from whichever header the shipper sends: Bearer (Fluent Bit `http`,
 * curl), ApiKey base64(id:key) (Beats `api_key`, Logstash), or Basic with the token as the
 * password (Fluent Bit `es` output's HTTP_User/HTTP_Passwd, Beats username/password).
 */
import type { IncomingMessage } from 'node:http';

function decodeBase64(s: string): string | undefined {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(s)) return undefined;
  return Buffer.from(s, 'base64').toString('utf8');
}

export function collectorToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^(\w+)\s+(\S+)\s*$/.exec(h);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const value = m[2]!;
  if (scheme === 'bearer') return value;
  if (scheme === 'apikey') {
    // Beats send base64("id:key"); a bare token is accepted too.
    if (value.startsWith('cst_')) return value;
    const decoded = decodeBase64(value);
    const i = decoded?.indexOf(':') ?? -1;
    return decoded !== undefined && i >= 0 ? decoded.slice(i + 1) : value;
  }
  if (scheme === 'basic') {
    const decoded = decodeBase64(value);
    const i = decoded?.indexOf(':') ?? -1;
    return decoded !== undefined && i >= 0 ? decoded.slice(i + 1) : undefined;
  }
  return undefined;
}
