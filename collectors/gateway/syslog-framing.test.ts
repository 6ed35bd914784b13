import { SyslogFramer } from './syslog-framing';

const text = (frames: Buffer[]) => frames.map((f) => f.toString('utf8'));

describe('syslog TCP framing (RFC 6587)', () => {
  it('splits newline-framed messages, dropping CR and empty lines', () => {
    expect(text(new SyslogFramer(1024).push(Buffer.from('<13>a\r\n\n<13>b\n<13>c')))).toEqual(['<13>a', '<13>b']);
  });

  it('reads octet-counted frames across reads, with newlines and multi-byte characters inside', () => {
    const msg = '<13>1 - h app - - - 城市\n大脑';
    const wire = Buffer.from(`${Buffer.byteLength(msg)} ${msg}${Buffer.byteLength(msg)} ${msg}`);
    const f = new SyslogFramer(1024);
    const out = [...f.push(wire.subarray(0, 9)), ...f.push(wire.subarray(9, 40)), ...f.push(wire.subarray(40))];
    expect(text(out)).toEqual([msg, msg]);
  });

  it('gives the last unterminated message on close', () => {
    const f = new SyslogFramer(1024);
    expect(f.push(Buffer.from('<13>tail'))).toEqual([]);
    expect(text(f.end())).toEqual(['<13>tail']);
  });

  it('cuts an oversized message at the limit instead of buffering without end', () => {
    const f = new SyslogFramer(480);
    const out = f.push(Buffer.from('x'.repeat(1000)));
    expect(out.map((b) => b.length)).toEqual([480, 480]);
    expect(text(f.push(Buffer.from('\n')))).toEqual(['x'.repeat(40)]);
    const counted = new SyslogFramer(480);
    expect(counted.push(Buffer.from(`99999 ${'y'.repeat(500)}`)).map((b) => b.length)).toEqual([480]);
  });
});
