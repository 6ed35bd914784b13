import { loadConfig } from '../../core/config';

describe('the ingest configuration', () => {
  it('defaults: no syslog listener, no reference data, the host zone for formats without one, bounded JSON depth and syslog connections', () => {
    const c = loadConfig({ env: {} });
    expect(c.ingest).toEqual({
      maxRequestBytes: 10 * 1024 * 1024,
      spoolMaxBytes: 1024 * 1024 * 1024,
      maxJsonDepth: 64,
      maxItemsPerRequest: 20_000,
      recentIds: 200_000,
      syslog: { host: '127.0.0.1', maxMessageBytes: 65536, idleTimeoutSeconds: 300, maxConnections: 1000 },
      enrichment: {},
    });
  });

  it('the local zone is an IANA zone or an offset, from the file, a flag or CITYSOC_TIME_ZONE', () => {
    expect(loadConfig({ env: { CITYSOC_TIME_ZONE: 'Asia/Shanghai' } }).ingest.timeZone).toBe('Asia/Shanghai');
    expect(loadConfig({ env: {}, overrides: { 'ingest.timeZone': '+08:00' } }).ingest.timeZone).toBe('+08:00');
    expect(() => loadConfig({ env: {}, overrides: { 'ingest.timeZone': 'Asia/Beijing' } })).toThrow(
      'ingest.timeZone = "Asia/Beijing" (from command line): expected an IANA time zone such as "Asia/Shanghai" or an offset such as "+08:00" or "Z"',
    );
  });

  it('syslog ports come from the environment, TLS and enrichment files from the file or flags', () => {
    const c = loadConfig({
      env: { CITYSOC_SYSLOG_TCP_PORT: '5514', CITYSOC_SYSLOG_UDP_PORT: '5514' },
      overrides: { 'ingest.syslog.tls': { certFile: 'a.pem', keyFile: 'a.key' }, 'ingest.enrichment.assets': '/etc/citysoc/assets.yaml' },
    });
    expect(c.ingest.syslog).toEqual({
      host: '127.0.0.1',
      tcpPort: 5514,
      udpPort: 5514,
      maxMessageBytes: 65536,
      idleTimeoutSeconds: 300,
      maxConnections: 1000,
      tls: { certFile: 'a.pem', keyFile: 'a.key', requireClientCert: false },
    });
    expect(c.ingest.enrichment).toEqual({ assets: '/etc/citysoc/assets.yaml' });
  });

  it('a bad value names the key, the value and what is expected', () => {
    expect(() => loadConfig({ env: {}, overrides: { 'ingest.defaultOffset': 'CST' } })).toThrow(
      'ingest.defaultOffset = "CST" (from command line): expected "Z" or an offset like "+08:00"',
    );
    expect(() => loadConfig({ env: { CITYSOC_SYSLOG_UDP_PORT: 'syslog' } })).toThrow(
      'ingest.syslog.udpPort = "syslog" (from environment variable CITYSOC_SYSLOG_UDP_PORT): expected a whole number 0..65535',
    );
  });
});
