/** Request bodies with a size limit (also after decompression) and JSON answers, for the gateway routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

export class BodyUnreadable extends Error {}

/** Reads the whole body; gzip/deflate bodies (Filebeat compresses by default) are inflated within the same limit. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      return reject(new BodyTooLarge(limit));
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    let stream: NodeJS.ReadableStream = req;
    let inflater: Transform | undefined;
    if (encoding === 'gzip' || encoding === 'x-gzip') inflater = createGunzip();
    else if (encoding === 'deflate') inflater = createInflate();
    else if (encoding !== 'identity') {
      req.resume();
      return reject(new BodyUnreadable(`content-encoding ${encoding} is not supported; send identity, gzip or deflate`));
    }
    if (inflater) {
      req.on('error', reject);
      stream = req.pipe(inflater);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    stream.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        inflater?.destroy();
        req.resume(); // drain, so the answer can still be written on this connection
        reject(new BodyTooLarge(limit));
      } else chunks.push(c);
    });
    stream.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    stream.on('error', (e: Error) => {
      if (done) return;
      done = true;
      reject(inflater ? new BodyUnreadable(`the ${encoding} body cannot be decompressed: ${e.message}`) : e);
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** Header values arrive as latin1; tags and department names may be UTF-8 (城管). */
export function headerText(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s === '') return undefined;
  const utf8 = Buffer.from(s, 'latin1').toString('utf8');
  try {
    return decodeURIComponent(utf8);
  } catch {
    return utf8;
  }
}
