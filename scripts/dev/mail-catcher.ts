// A local mail catcher: a real SMTP server (smtp-server) that keeps every message as an .eml file
// and a small web page to read them. Used by `herald dev up` and, in process, by the tests.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface CaughtMail {
  id: string;
  receivedAt: string;
  envelopeFrom: string;
  envelopeTo: string[];
  messageId: string | null;
  subject: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  headers: Record<string, string>;
  text: string;
  html: string | null;
  attachments: { filename: string | null; contentType: string; size: number }[];
}

export interface MailCatcherOptions {
  smtpPort?: number; // 0: any free port
  httpPort?: number; // undefined: no web page
  storeDir?: string; // undefined: in memory
  host?: string;
  /** Fault injection for tests: answer RCPT/DATA with this SMTP error while it returns a value. */
  rejectWith?: (recipient: string) => { code: number; message: string } | undefined;
  /** SMTP AUTH required and checked by this function (over plain TCP: the catcher has no TLS). */
  authenticate?: (username: string, password: string) => boolean;
  /**
   * Keep the raw message on receipt and parse it when `messages()` is called: a sink that only
   * receives while something is timed (the benchmarks), and checks everything afterwards. Not
   * with `httpPort` or `storeDir`, whose pages and reloads read parsed messages.
   */
  parseOnRead?: boolean;
}

export interface MailCatcher {
  smtpPort: number;
  httpPort?: number;
  smtpUrl: string;
  webUrl?: string;
  messages(): Promise<CaughtMail[]>;
  clear(): void;
  close(): Promise<void>;
}

function addresses(value: ParsedMail['to']): string[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((group) => group.value.map((entry) => entry.address ?? '').filter(Boolean));
}

async function toCaught(
  id: string,
  raw: Buffer,
  meta: { receivedAt: string; envelopeFrom: string; envelopeTo: string[] },
) {
  const parsed = await simpleParser(raw);
  const headers: Record<string, string> = {};
  for (const line of parsed.headerLines) {
    const value = line.line.slice(line.line.indexOf(':') + 1).trim();
    headers[line.key] = headers[line.key] ? `${headers[line.key]}, ${value}` : value;
  }
  return {
    id,
    ...meta,
    messageId: parsed.messageId ?? null,
    subject: parsed.subject ?? '',
    from: parsed.from?.value[0]?.address ?? '',
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    bcc: addresses(parsed.bcc),
    headers,
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType,
      size: a.size,
    })),
  } satisfies CaughtMail;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function listPage(mails: CaughtMail[]): string {
  const rows = mails
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.receivedAt.replace('T', ' ').slice(0, 19))}</td><td>${escapeHtml(m.to.join(', '))}</td>` +
        `<td><a href="/messages/${m.id}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>herald mail (${mails.length})</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left}</style>
</head><body><h1>Mail sent by herald</h1><p>${mails.length} message(s), newest first. <a href="/api/messages">JSON</a></p>
<table><tr><th>received (UTC)</th><th>to</th><th>subject</th></tr>${rows}</table></body></html>`;
}

function messagePage(m: CaughtMail): string {
  const headerRows = Object.entries(m.headers)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  // The HTML part is shown in a sandboxed frame: no scripts, no same-origin access.
  const htmlPart = m.html
    ? `<h2>HTML part</h2><iframe sandbox="" style="width:100%;height:40em;border:1px solid #ccc" srcdoc="${escapeHtml(m.html)}"></iframe>`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(m.subject)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}pre{background:#f6f6f6;padding:1em;white-space:pre-wrap}th{text-align:left;padding-right:1em;vertical-align:top}</style>
</head><body><p><a href="/">&larr; all mail</a> · <a href="/api/messages/${m.id}/raw">raw</a></p><h1>${escapeHtml(m.subject)}</h1>
<table>${headerRows}</table><h2>Text part</h2><pre>${escapeHtml(m.text)}</pre>${htmlPart}</body></html>`;
}

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
  if (options.parseOnRead && (options.httpPort !== undefined || options.storeDir))
    throw new Error('mail catcher: parseOnRead is for an in-memory catcher without a web page');
  const memory = new Map<string, CaughtMail>();
  // Received, not parsed yet (parseOnRead).
  const unparsed = new Map<string, { raw: Buffer; meta: Parameters<typeof toCaught>[2] }>();
  if (options.storeDir) mkdirSync(options.storeDir, { recursive: true });

  const store = async (
    raw: Buffer,
    meta: { receivedAt: string; envelopeFrom: string; envelopeTo: string[] },
  ) => {
    const id = `${meta.receivedAt.replace(/[-:.TZ]/g, '')}-${randomUUID().slice(0, 8)}`;
    if (options.storeDir) {
      writeFileSync(path.join(options.storeDir, `${id}.eml`), raw);
      writeFileSync(path.join(options.storeDir, `${id}.json`), JSON.stringify(meta));
    }
    if (options.parseOnRead) unparsed.set(id, { raw, meta });
    else memory.set(id, await toCaught(id, raw, meta));
  };

  // Messages kept from earlier runs of a persistent catcher.
  if (options.storeDir) {
    for (const file of readdirSync(options.storeDir).filter((f) => f.endsWith('.eml'))) {
      const id = file.replace(/\.eml$/, '');
      try {
        const meta = JSON.parse(readFileSync(path.join(options.storeDir, `${id}.json`), 'utf8'));
        memory.set(id, await toCaught(id, readFileSync(path.join(options.storeDir, file)), meta));
      } catch {
        // A half-written message from a crash is skipped, not fatal.
      }
    }
  }

  const authenticate = options.authenticate;
  const smtpOptions: SMTPServerOptions = {
    authOptional: !authenticate,
    ...(authenticate
      ? {
          allowInsecureAuth: true,
          onAuth(auth, _session, callback) {
            if (authenticate(auth.username ?? '', auth.password ?? ''))
              return callback(null, { user: auth.username });
            callback(
              Object.assign(new Error('5.7.8 authentication credentials invalid'), { responseCode: 535 }),
            );
          },
        }
      : {}),
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 50 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const fault = options.rejectWith?.(address.address);
      if (fault) return callback(Object.assign(new Error(fault.message), { responseCode: fault.code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const meta = {
          receivedAt: new Date().toISOString(),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
        };
        store(Buffer.concat(chunks), meta).then(
          () => callback(null, 'queued as herald-catcher'),
          (error: Error) => callback(error),
        );
      });
    },
  };
  const smtp = new SMTPServer(smtpOptions);
  smtp.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const sorted = () => [...memory.values()].sort((a, b) => b.id.localeCompare(a.id));
  let web: http.Server | undefined;
  let httpPort: number | undefined;
  if (options.httpPort !== undefined) {
    web = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const send = (status: number, type: string, body: string | Buffer) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      const match = url.pathname.match(/^\/(?:api\/)?messages\/([\w-]+)(\/raw)?$/);
      if (url.pathname === '/') return send(200, 'text/html; charset=utf-8', listPage(sorted()));
      if (url.pathname === '/api/messages') return send(200, 'application/json', JSON.stringify(sorted()));
      if (req.method === 'DELETE' && url.pathname === '/api/messages') {
        clear();
        return send(204, 'text/plain', '');
      }
      const mail = match ? memory.get(match[1]!) : undefined;
      if (mail && match?.[2] && options.storeDir) {
        return send(200, 'message/rfc822', readFileSync(path.join(options.storeDir, `${mail.id}.eml`)));
      }
      if (mail && url.pathname.startsWith('/api/'))
        return send(200, 'application/json', JSON.stringify(mail));
      if (mail) return send(200, 'text/html; charset=utf-8', messagePage(mail));
      send(404, 'text/plain', 'not found');
    });
    await new Promise<void>((resolve, reject) => {
      web!.once('error', reject);
      web!.listen(options.httpPort, host, () => resolve());
    });
    httpPort = (web.address() as AddressInfo).port;
  }

  function clear() {
    memory.clear();
    unparsed.clear();
    if (options.storeDir) {
      for (const file of readdirSync(options.storeDir))
        rmSync(path.join(options.storeDir, file), { force: true });
    }
  }

  return {
    smtpPort,
    httpPort,
    smtpUrl: `smtp://${host}:${smtpPort}`,
    webUrl: httpPort ? `http://${host === '0.0.0.0' ? 'localhost' : host}:${httpPort}` : undefined,
    messages: async () => {
      for (const [id, { raw, meta }] of unparsed) {
        memory.set(id, await toCaught(id, raw, meta));
        unparsed.delete(id);
      }
      return sorted();
    },
    clear,
    close: async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      if (web) await new Promise<void>((resolve) => web!.close(() => resolve()));
    },
  };
}
