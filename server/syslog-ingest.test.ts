import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sharedPath } from '../core/shared-data';
import { type IngestPlatform, startIngestPlatform } from './test-support/ingest-platform';

function sendTcp(port: number, payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      // Two writes that split a message: framing must not depend on packet boundaries.
      const bytes = Buffer.from(payload);
      s.write(bytes.subarray(0, 17));
      s.end(bytes.subarray(17));
    });
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

async function until<T>(f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('syslog listeners', () => {
  let g: IngestPlatform;
  beforeAll(async () => {
    g = await startIngestPlatform({ 'ingest.syslog.tcpPort': 0, 'ingest.syslog.udpPort': 0 });
  });
  afterAll(async () => g.stop());

  it('TCP with newline framing: RFC 3164 lines are parsed by their source', async () => {
    await sendTcp(
      g.platform.syslog!.tcp!.port,
      '<38>Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for root from 10.0.0.1 port 1111 ssh2\r\n<38>Dec 10 06:55:49 LabSZ sshd[24201]: Invalid user guest from 10.0.0.1\n',
    );
    const res = await until(async () => {
      const r = await g.search('source.ip:10.0.0.1');
      return r.total === 2 ? r : undefined;
    });
    expect(res.events.map((e) => [e.event.action, e.citysoc!.source, e.citysoc!.collector]).sort()).toEqual([
      ['invalid_user', 'openssh', 'syslog-tcp'],
      ['ssh_login', 'openssh', 'syslog-tcp'],
    ]);
    expect(res.events[0]).toMatchObject({ log: { source: { address: expect.stringMatching(/127\.0\.0\.1/) } } });
  });

  it('TCP with octet counting: RFC 5424 keeps its exact time, structured data and msgid', async () => {
    const m1 =
      '<86>1 2026-11-20T08:00:00.123+08:00 bastion-02 sshd 4242 AUTH [origin ip="10.0.0.5"][meta seq="7" note="a \\"quoted\\" ]"] Accepted password for ops from 10.0.0.2 port 2222 ssh2';
    const m2 = '<38>Dec 10 06:55:50 LabSZ sshd[24202]: Received disconnect from 10.0.0.2: 11: Bye Bye [preauth]';
    const m3 = '<13>Dec 10 06:55:53 LabSZ stacky[77]: java.lang.IllegalStateException: 城市大脑\n\tat a.b.C.d(C.java:1)';
    const frame = (m: string) => `${Buffer.byteLength(m)} ${m}`;
    await sendTcp(g.platform.syslog!.tcp!.port, frame(m1) + frame(m2) + frame(m3));
    const res = await until(async () => {
      const r = await g.search('source.ip:10.0.0.2');
      return r.total === 2 ? r : undefined;
    });
    const login = res.events.find((e) => e.event.action === 'ssh_login')!;
    expect(login).toMatchObject({
      '@timestamp': '2026-11-20T08:00:00.123+08:00',
      host: { name: 'bastion-02' },
      user: { name: 'ops' },
      event: { outcome: 'success', original: m1 },
      process: { pid: 4242 },
      log: {
        syslog: {
          msgid: 'AUTH',
          facility: { code: 10 },
          severity: { code: 6 },
          structured_data: { origin: { ip: '10.0.0.5' }, meta: { seq: '7', note: 'a "quoted" ]' } },
        },
      },
    });
    expect(res.events.find((e) => e.event.action === 'disconnect')!.event.original).toBe(m2);
    const trace = await g.search('process.name:stacky');
    expect(trace.events.map((e) => [e.event.original, e.message])).toEqual([[m3, 'java.lang.IllegalStateException: 城市大脑\n\tat a.b.C.d(C.java:1)']]);
  });

  it('UDP: one datagram, one message', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) =>
      sock.send(
        '<38>Dec 10 06:55:51 LabSZ sshd[24203]: Failed password for admin from 10.0.0.3 port 3333 ssh2\n',
        g.platform.syslog!.udp!.port,
        '127.0.0.1',
        (e) => (e ? reject(e) : resolve()),
      ),
    );
    sock.close();
    const res = await until(async () => {
      const r = await g.search('source.ip:10.0.0.3');
      return r.total === 1 ? r : undefined;
    });
    expect(res.events[0]).toMatchObject({ user: { name: 'admin' }, citysoc: { collector: 'syslog-udp', source: 'openssh' } });
  });

  it('garbage on the TCP port becomes a dead letter and the listener keeps serving', async () => {
    await sendTcp(g.platform.syslog!.tcp!.port, '\u0000\u0001 not syslog at all\n');
    const dl = await until(async () => {
      const r = await g.search('citysoc.dead_letter:true');
      return r.total === 1 ? r : undefined;
    });
    expect(dl.events[0]).toMatchObject({ citysoc: { source: 'unknown', collector: 'syslog-tcp' } });
    await sendTcp(g.platform.syslog!.tcp!.port, '<38>Dec 10 06:55:52 LabSZ sshd[24204]: Failed password for x from 10.0.0.4 port 4 ssh2\n');
    await until(async () => ((await g.search('source.ip:10.0.0.4')).total === 1 ? true : undefined));
  });
});

describe('syslog limits (issue 9, finding 11)', () => {
  let g: IngestPlatform;
  beforeAll(async () => {
    g = await startIngestPlatform({
      'ingest.syslog.tcpPort': 0,
      'ingest.syslog.udpPort': 0,
      'ingest.syslog.maxMessageBytes': 480,
      'ingest.syslog.idleTimeoutSeconds': 1,
      'ingest.syslog.maxConnections': 2,
      'ingest.syslog.udpReceiveBufferBytes': 4096,
    });
  });
  afterAll(async () => g.stop());

  const metric = async (name: string) => {
    const text = await (await fetch(`${g.platform.url}/metrics`)).text();
    const m = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };

  it('an over-long TCP line is exactly one dead letter, whether it arrives in one write or byte by byte', async () => {
    const long = `<38>Dec 10 06:55:48 LabSZ sshd[1]: ${'z'.repeat(5000)}`;
    for (const size of [1_000_000, 1, 333]) {
      await new Promise<void>((resolve, reject) => {
        const s = connect(g.platform.syslog!.tcp!.port, '127.0.0.1', () => {
          const bytes = Buffer.from(`${long}\n<38>Dec 10 06:55:49 LabSZ sshd[2]: Invalid user u${size} from 10.9.9.9\n`);
          for (let i = 0; i < bytes.length; i += size) s.write(bytes.subarray(i, i + size));
          s.end();
        });
        s.on('close', () => resolve());
        s.on('error', reject);
      });
    }
    const letters = await until(async () => {
      const r = await g.search('citysoc.dead_letter:true AND citysoc.collector:syslog-tcp');
      return r.total >= 3 ? r : undefined;
    });
    expect(letters.total).toBe(3);
    expect(letters.events.map((e) => [e.event.original!.length, (e as { error?: { message: string } }).error!.message])).toEqual(
      Array(3).fill([480, 'the message is longer than ingest.syslog.maxMessageBytes (480 bytes): its first 480 bytes are kept, the rest was skipped']),
    );
    expect((await g.search('source.ip:10.9.9.9')).total).toBe(3);
  });

  it('closes a connection idle longer than the timeout, and refuses connections beyond the limit', async () => {
    const open = () =>
      new Promise<{ closed: Promise<void> }>((resolve) => {
        const s = connect(g.platform.syslog!.tcp!.port, '127.0.0.1', () => resolve({ closed }));
        const closed = new Promise<void>((r) => s.on('close', () => r()));
        s.on('error', () => undefined);
      });
    const idle = await open();
    const started = Date.now();
    await idle.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await metric('citysoc_syslog_connections_closed_total{reason="idle"}')).toBe(1);
    const [a, b, c] = [await open(), await open(), await open()];
    await c.closed;
    expect(await metric('citysoc_syslog_connections_closed_total{reason="limit"}')).toBe(1);
    await Promise.all([a.closed, b.closed]);
  });

  it("counts the kernel's UDP drops: every datagram sent is stored or counted as dropped", async () => {
    const port = g.platform.syslog!.udp!.port;
    const sent = 3000;
    const before = (await metric('citysoc_syslog_udp_kernel_drops')) ?? 0;
    // The sender runs while this process (and so the listener) is blocked: the 4 KiB buffer overflows.
    const script = `const s=require('dgram').createSocket('udp4');let n=0;const next=()=>{if(n===${sent})return s.close();s.send('<38>Dec 10 06:55:51 LabSZ sshd[9]: Failed password for udp'+(n++)+' from 10.8.8.8 port 1 ssh2',${port},'127.0.0.1',next)};next();`;
    expect(spawnSync(process.execPath, ['-e', script]).status).toBe(0);
    const drops = (await metric('citysoc_syslog_udp_kernel_drops'))! - before;
    expect(drops).toBeGreaterThan(0);
    await until(async () => ((await g.search('source.ip:10.8.8.8', 1)).total === sent - drops ? true : undefined));
  });
});

/**
 * A real shipper (issue 19): Debian's rsyslog tails a loghub file (imfile, its position kept in its
 * work directory) and forwards each line over TCP (omfwd, a queue kept on disk and retried without
 * limit). rsyslog and then CitySOC are restarted mid-stream; every line arrives exactly once.
 * Syslog has no acknowledgement: this holds for graceful restarts, where rsyslog's connection check
 * sees the gateway's close before it sends, not for a crash of the gateway.
 */
describe('a real rsyslog shipping a loghub file across restarts', () => {
  const rsyslogd = spawnSync('sh', ['-c', 'command -v rsyslogd'], { encoding: 'utf8' }).stdout.trim();

  it('stores every line exactly once: 0 lost, 0 duplicates', async () => {
    if (!rsyslogd) throw new Error('rsyslogd is not installed: install the Debian package rsyslog (apt-get install rsyslog; .ci/run does)');
    const lines = readFileSync(sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8').split('\n').filter(Boolean);
    const work = mkdtempSync(path.join(tmpdir(), 'citysoc-rsyslog-'));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'citysoc-rsyslog-data-'));
    const input = path.join(work, 'secure.log');
    writeFileSync(input, '');
    const port = await freePort();
    const conf = path.join(work, 'rsyslog.conf');
    writeFileSync(
      conf,
      [
        `global(workDirectory="${work}")`,
        'module(load="imfile")',
        `input(type="imfile" file="${input}" tag="loghub" freshStartTail="off")`,
        'template(name="raw" type="string" string="%rawmsg%\\n")',
        `action(type="omfwd" target="127.0.0.1" port="${port}" protocol="tcp" template="raw"`,
        '       queue.type="LinkedList" queue.filename="forward" queue.saveOnShutdown="on"',
        '       action.resumeRetryCount="-1" action.resumeInterval="1")',
      ].join('\n'),
    );
    const startShipper = () => spawn(rsyslogd, ['-n', '-f', conf, '-i', path.join(work, 'rsyslogd.pid')], { stdio: 'ignore' });
    const stopShipper = (p: ChildProcess) =>
      new Promise<void>((resolve) => (p.exitCode !== null ? resolve() : (p.once('exit', () => resolve()), p.kill('SIGTERM'))));
    // The samples are from a past December: retention at the restart must not purge them.
    const overrides = { 'ingest.syslog.tcpPort': port, 'ingest.syslog.host': '127.0.0.1', 'retention.eventsDays': 3650 };
    let g = await startIngestPlatform(overrides, dataDir);
    const stored = async () => (await g.search('citysoc.collector:syslog-tcp', 1)).total;
    const waitFor = async (n: number) => {
      try {
        await until(async () => ((await stored()) >= n ? true : undefined), 90_000);
      } catch {
        throw new Error(`waited for ${n} lines, ${await stored()} arrived`);
      }
    };
    let shipper = startShipper();
    try {
      appendFileSync(input, `${lines.slice(0, 700).join('\n')}\n`);
      await waitFor(700);
      // The shipper restarts while lines are being written: it resumes from its saved position.
      await stopShipper(shipper);
      appendFileSync(input, `${lines.slice(700, 1400).join('\n')}\n`);
      shipper = startShipper();
      await waitFor(1400);
      // CitySOC restarts while the shipper has lines to send: they wait in its queue.
      await g.platform.close();
      appendFileSync(input, `${lines.slice(1400).join('\n')}\n`);
      await new Promise((r) => setTimeout(r, 2000));
      g = await startIngestPlatform(overrides, dataDir);
      await waitFor(2000);
      await new Promise((r) => setTimeout(r, 2000)); // anything more would be a duplicate
      const all = await g.platform.ports.events.search({ query: 'citysoc.collector:syslog-tcp', size: 10_000 });
      expect(all.total).toBe(2000);
      // rsyslog drops the trailing blanks some loghub lines have; the lines are otherwise as written.
      expect(all.events.map((e) => e.event.original!.trimEnd()).sort()).toEqual(lines.map((l) => l.trimEnd()).sort());
      expect((await g.search('citysoc.dead_letter:true', 1)).total).toBe(0);
    } finally {
      await stopShipper(shipper);
      await g.stop();
    }
  }, 300_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
