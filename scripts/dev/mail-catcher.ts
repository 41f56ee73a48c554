// An in-process mail catcher for tests and benchmarks: a real SMTP server (smtp-server) whose
// answers a test can choose (faults, AUTH), keeping every message parsed in memory and, if asked,
// raw as an .eml file. The local stack's mail page is Mailpit (scripts/dev/stack.ts).
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  storeDir?: string; // also write each raw message here as <id>.eml
  host?: string;
  /** Fault injection for tests: answer RCPT/DATA with this SMTP error while it returns a value. */
  rejectWith?: (recipient: string) => { code: number; message: string } | undefined;
  /** SMTP AUTH required and checked by this function (over plain TCP: the catcher has no TLS). */
  authenticate?: (username: string, password: string) => boolean;
  /**
   * Keep the raw message on receipt and parse it when `messages()` is called: a sink that only
   * receives while something is timed (the benchmarks), and checks everything afterwards.
   */
  parseOnRead?: boolean;
}

export interface MailCatcher {
  smtpPort: number;
  smtpUrl: string;
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

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
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
    smtpUrl: `smtp://${host}:${smtpPort}`,
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
    },
  };
}
