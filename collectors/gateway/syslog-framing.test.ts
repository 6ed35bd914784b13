import { type Frame, SyslogFramer } from './syslog-framing';

const text = (frames: Frame[]) => frames.map((f) => f.bytes.toString('utf8'));

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

  it('an over-long message is exactly one oversized frame, however the stream is cut (issue 9, finding 11)', () => {
    const long = `<13>${'x'.repeat(1000)}`;
    const wire = Buffer.from(`${long}\n<13>next\n${Buffer.byteLength(long)} ${long}<13>after\n`);
    const expected = [
      { text: long.slice(0, 480), oversized: true },
      { text: '<13>next', oversized: false },
      { text: long.slice(0, 480), oversized: true },
      { text: '<13>after', oversized: false },
    ];
    for (const size of [1, 7, 479, 480, 481, 1000, wire.length]) {
      const f = new SyslogFramer(480);
      const frames: Frame[] = [];
      for (let i = 0; i < wire.length; i += size) frames.push(...f.push(wire.subarray(i, i + size)));
      frames.push(...f.end());
      expect([size, frames.map((x) => ({ text: x.bytes.toString('utf8'), oversized: x.oversized }))]).toEqual([size, expected]);
    }
  });

  it('a message of exactly the limit is not oversized', () => {
    const f = new SyslogFramer(480);
    const msg = 'y'.repeat(480);
    expect(f.push(Buffer.from(msg))).toEqual([]);
    expect(f.push(Buffer.from('\n'))).toEqual([{ bytes: Buffer.from(msg), oversized: false }]);
  });
});
