/**
 * Splits a syslog TCP stream into messages (RFC 6587): octet counting ("<len> <msg>") when a
 * frame starts with a digit, else non-transparent framing (one message per LF). Works on
 * bytes, since lengths count bytes and a UTF-8 character may straddle two reads.
 *
 * A message longer than the limit is one frame, marked oversized, holding its first
 * `maxMessageBytes`; the rest of it is skipped up to its end (the counted length, or the next
 * LF). So it is one dead letter however the sender's writes cut the stream.
 */
export interface Frame {
  readonly bytes: Buffer;
  /** The message was longer than the limit: `bytes` is its beginning, the rest was skipped. */
  readonly oversized: boolean;
}

export class SyslogFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** Counted bytes still to skip of an oversized octet-counted message. */
  private skipBytes = 0;
  /** Skipping an oversized LF-framed message up to its LF. */
  private skipToNewline = false;

  constructor(private readonly maxMessageBytes: number) {}

  /** Complete frames in this chunk. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Frame[] = [];
    for (;;) {
      if (this.skipBytes > 0) {
        const n = Math.min(this.skipBytes, this.buf.length);
        this.skipBytes -= n;
        this.buf = this.buf.subarray(n);
        if (this.skipBytes > 0) break;
      }
      if (this.skipToNewline) {
        const nl = this.buf.indexOf(0x0a);
        if (nl < 0) {
          this.buf = Buffer.alloc(0);
          break;
        }
        this.buf = this.buf.subarray(nl + 1);
        this.skipToNewline = false;
      }
      while (this.buf.length > 0 && (this.buf[0] === 0x0a || this.buf[0] === 0x0d || this.buf[0] === 0x00)) this.buf = this.buf.subarray(1);
      if (this.buf.length === 0) break;
      const frame = this.buf[0]! >= 0x30 && this.buf[0]! <= 0x39 ? this.counted() : this.delimited();
      if (frame === undefined) break;
      if (frame.bytes.length > 0) out.push(frame);
    }
    return out;
  }

  /** What is left when the peer closes: a last message without its LF. */
  end(): Frame[] {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    const skipping = this.skipBytes > 0 || this.skipToNewline;
    this.skipBytes = 0;
    this.skipToNewline = false;
    if (skipping || rest.length === 0) return [];
    return [{ bytes: rest.subarray(0, this.maxMessageBytes), oversized: rest.length > this.maxMessageBytes }];
  }

  private counted(): Frame | undefined {
    const space = this.buf.indexOf(0x20);
    if (space < 0) return this.buf.length > 10 ? this.delimited() : undefined;
    const digits = this.buf.subarray(0, space).toString('latin1');
    if (!/^\d{1,9}$/.test(digits)) return this.delimited();
    const len = Number(digits);
    if (len > this.maxMessageBytes) {
      // Keep the first bytes once they are here; skip the rest as counted.
      if (this.buf.length < space + 1 + this.maxMessageBytes) return undefined;
      const bytes = this.buf.subarray(space + 1, space + 1 + this.maxMessageBytes);
      this.buf = this.buf.subarray(space + 1 + this.maxMessageBytes);
      this.skipBytes = len - this.maxMessageBytes;
      return { bytes, oversized: true };
    }
    if (this.buf.length < space + 1 + len) return undefined;
    const bytes = this.buf.subarray(space + 1, space + 1 + len);
    this.buf = this.buf.subarray(space + 1 + len);
    return { bytes, oversized: false };
  }

  private delimited(): Frame | undefined {
    const nl = this.buf.indexOf(0x0a);
    const end = nl < 0 ? -1 : nl > 0 && this.buf[nl - 1] === 0x0d ? nl - 1 : nl;
    if (nl < 0 ? this.buf.length > this.maxMessageBytes : end > this.maxMessageBytes) {
      const bytes = this.buf.subarray(0, this.maxMessageBytes);
      if (nl < 0) {
        this.buf = Buffer.alloc(0);
        this.skipToNewline = true;
      } else this.buf = this.buf.subarray(nl + 1);
      return { bytes, oversized: true };
    }
    if (nl < 0) return undefined;
    const bytes = this.buf.subarray(0, end);
    this.buf = this.buf.subarray(nl + 1);
    return { bytes, oversized: false };
  }
}
