/**
 * An SMTP server on loopback that accepts and keeps every mail, for the notify node's tests.
 * Written here (a few lines of the protocol's happy path) so the test needs no mail server.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Mail {
  readonly from: string;
  readonly to: string[];
  readonly data: string;
}

export interface SmtpSink {
  readonly port: number;
  readonly mails: Mail[];
  close(): Promise<void>;
}

export async function smtpSink(): Promise<SmtpSink> {
  const mails: Mail[] = [];
  const server: Server = createServer((socket) => {
    let buf = '';
    let inData = false;
    let cur: { from: string; to: string[]; data: string } = { from: '', to: [], data: '' };
    const say = (s: string) => socket.write(`${s}\r\n`);
    say('220 localhost ESMTP test sink');
    socket.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          cur.data = buf.slice(0, end);
          buf = buf.slice(end + 5);
          inData = false;
          mails.push(cur);
          cur = { from: '', to: [], data: '' };
          say('250 queued');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
        if (verb === 'MAIL') cur.from = address;
        if (verb === 'RCPT') cur.to.push(address);
        if (verb === 'DATA') inData = true;
        say(verb === 'EHLO' || verb === 'HELO' ? '250 localhost' : verb === 'DATA' ? '354 go on' : verb === 'QUIT' ? '221 bye' : '250 ok');
        if (verb === 'QUIT') socket.end();
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
