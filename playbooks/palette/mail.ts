/**
 * Mail notifications over SMTP with nodemailer (the Node.js ecosystem's maintained SMTP client):
 * a pooled transport per configuration, a time limit on every stage, and SMTP's own verdicts
 * kept apart — a 4xx reply or a lost connection is worth another attempt, a 5xx is not.
 */
import nodemailer from 'nodemailer';
import { CitySocError } from '../../core/errors';
import { TransientError } from '../runs/retry';

export interface MailSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  /** Refuse to send without TLS (STARTTLS required). */
  readonly requireTls: boolean;
  readonly from: string;
  readonly user?: string;
  readonly password?: string;
  readonly timeoutMs: number;
}

export interface MailMessage {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  /** Repeated sends of one step carry the same Message-ID, so receivers can drop the copy. */
  readonly messageId: string;
}

const ADDRESS = /^[^\s@<>(),;:"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$|^[^\s@<>(),;:"]+@localhost$/;

export class Mailer {
  private readonly transport;

  constructor(private readonly s: MailSettings) {
    this.transport = nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: s.secure,
      requireTLS: s.requireTls,
      ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
      connectionTimeout: s.timeoutMs,
      greetingTimeout: s.timeoutMs,
      socketTimeout: s.timeoutMs,
    });
  }

  async send(m: MailMessage): Promise<{ accepted: string[] }> {
    if (m.to.length === 0) throw new CitySocError('INPUT_INVALID', 'the mail has no recipient: the contact has no e-mail address');
    for (const a of m.to) if (!ADDRESS.test(a)) throw new CitySocError('INPUT_INVALID', `'${a.slice(0, 100)}' is not an e-mail address`);
    try {
      const info = await this.transport.sendMail({
        from: this.s.from,
        to: [...m.to],
        subject: m.subject.replace(/[\r\n]+/g, ' '),
        text: m.text,
        messageId: m.messageId,
      });
      return { accepted: (info.accepted as (string | { address: string })[]).map((a) => (typeof a === 'string' ? a : a.address)) };
    } catch (e) {
      const err = e as { responseCode?: number; code?: string; message?: string };
      const why = `SMTP ${this.s.host}:${this.s.port}: ${err.message ?? String(e)}`;
      if (typeof err.responseCode === 'number') throw err.responseCode >= 500 ? new CitySocError('INPUT_INVALID', why) : new TransientError(why);
      if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') throw new CitySocError('INPUT_INVALID', why);
      throw new TransientError(why);
    }
  }

  close(): void {
    this.transport.close();
  }
}
