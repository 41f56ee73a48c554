// The mail catcher's parseOnRead mode (the benchmarks' sink): messages are received over real SMTP
// and parsed only when read, with the same result as the catcher that parses on receipt.
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';

const catchers: MailCatcher[] = [];
afterAll(async () => {
  await Promise.all(catchers.map((c) => c.close()));
});

async function deliver(catcher: MailCatcher, n: number): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: catcher.smtpPort, secure: false });
  for (let i = 0; i < n; i++)
    await transport.sendMail({
      from: 'herald@bench.invalid',
      to: `abuse${i}@example.test`,
      subject: `report ${i}`,
      text: `text ${i}`,
      html: `<p>html ${i}</p>`,
      messageId: `<m${i}@bench.invalid>`,
      attachments: [{ filename: 'events.json', content: JSON.stringify({ i }) }],
    });
  transport.close();
}

const comparable = (mails: Awaited<ReturnType<MailCatcher['messages']>>) =>
  mails
    .map(({ id: _id, receivedAt: _at, headers: _h, ...rest }) => rest)
    .sort((a, b) => (a.messageId ?? '').localeCompare(b.messageId ?? ''));

describe('mail catcher', () => {
  it('parses on read what it received, as the parsing catcher does on receipt', async () => {
    const [eager, lazy] = await Promise.all([
      startMailCatcher({ smtpPort: 0 }),
      startMailCatcher({ smtpPort: 0, parseOnRead: true }),
    ]);
    catchers.push(eager, lazy);
    await Promise.all([deliver(eager, 3), deliver(lazy, 3)]);
    const parsed = comparable(await lazy.messages());
    expect(parsed).toHaveLength(3);
    expect(parsed[0]).toMatchObject({
      subject: 'report 0',
      to: ['abuse0@example.test'],
      text: 'text 0',
      attachments: [{ filename: 'events.json', contentType: 'application/json' }],
    });
    expect(parsed).toEqual(comparable(await eager.messages()));
    // Read twice, parsed once: the same messages.
    expect(comparable(await lazy.messages())).toEqual(parsed);
    lazy.clear();
    await deliver(lazy, 1);
    lazy.clear();
    expect(await lazy.messages()).toEqual([]);
  });
});
