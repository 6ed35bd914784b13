/**
 * Splits a syslog TCP stream into messages (RFC 6587): octet counting ("<len> <msg>") when a
 * frame starts with a digit, else non-transparent framing (one message per LF). Works on
 * bytes, since lengths count bytes and a UTF-8 character may straddle two reads.
 */
export class SyslogFramer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes: number) {}

  /** Complete frames in this chunk; an oversized frame is cut at the limit rather than buffered forever. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      while (this.buf.length > 0 && (this.buf[0] === 0x0a || this.buf[0] === 0x0d || this.buf[0] === 0x00)) this.buf = this.buf.subarray(1);
      if (this.buf.length === 0) break;
      const frame = this.buf[0]! >= 0x30 && this.buf[0]! <= 0x39 ? this.counted() : this.delimited();
      if (frame === undefined) break;
      if (frame.length > 0) out.push(frame);
    }
    return out;
  }

  /** What is left when the peer closes: a last message without its LF. */
  end(): Buffer[] {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest.length > 0 ? [rest.subarray(0, this.maxMessageBytes)] : [];
  }

  private counted(): Buffer | undefined {
    const space = this.buf.indexOf(0x20);
    if (space < 0) return this.buf.length > 10 ? this.delimited() : undefined;
    const digits = this.buf.subarray(0, space).toString('latin1');
    if (!/^\d{1,9}$/.test(digits)) return this.delimited();
    const len = Number(digits);
    if (this.buf.length < space + 1 + len) {
      // A length beyond the limit would make us buffer whatever the peer claims: cut it.
      if (len > this.maxMessageBytes && this.buf.length >= space + 1 + this.maxMessageBytes) {
        const frame = this.buf.subarray(space + 1, space + 1 + this.maxMessageBytes);
        this.buf = this.buf.subarray(space + 1 + this.maxMessageBytes);
        return frame;
      }
      return undefined;
    }
    const frame = this.buf.subarray(space + 1, space + 1 + len);
    this.buf = this.buf.subarray(space + 1 + len);
    return frame;
  }

  private delimited(): Buffer | undefined {
    const nl = this.buf.indexOf(0x0a);
    if (nl < 0) {
      if (this.buf.length < this.maxMessageBytes) return undefined;
      const frame = this.buf.subarray(0, this.maxMessageBytes);
      this.buf = this.buf.subarray(this.maxMessageBytes);
      return frame;
    }
    const end = nl > 0 && this.buf[nl - 1] === 0x0d ? nl - 1 : nl;
    const frame = this.buf.subarray(0, Math.min(end, this.maxMessageBytes));
    this.buf = this.buf.subarray(nl + 1);
    return frame;
  }
}
