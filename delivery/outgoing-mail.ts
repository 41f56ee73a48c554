// Every mail herald sends (reports and alerts) goes through here, so the mailer settings hold for
// all of them: Reply-To, the envelope sender (Return-Path, where bounces go) and, with a signing
// key, PGP/MIME signing. The SMTP envelope lists every recipient, Bcc included; the headers never
// show Bcc.
import type { SentMessageInfo } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { MailSettings } from '../activities/deps';
import { composeMessage, signMessage } from './pgp-mime';

/** A mail as herald composes it: plain address lists, so the envelope can be built from them. */
export interface OutgoingMail
  extends Omit<Mail.Options, 'from' | 'to' | 'cc' | 'bcc' | 'replyTo' | 'envelope' | 'raw'> {
  to: readonly string[];
  cc?: readonly string[];
  bcc?: readonly string[];
}

export async function deliverMail(settings: MailSettings, mail: OutgoingMail): Promise<SentMessageInfo> {
  const cc = mail.cc ?? [];
  const bcc = mail.bcc ?? [];
  const message: Mail.Options = {
    ...mail,
    from: settings.from,
    to: [...mail.to],
    cc: cc.length > 0 ? [...cc] : undefined,
    bcc: bcc.length > 0 ? [...bcc] : undefined,
    ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
  };
  const envelope = {
    from: settings.returnPath ?? settings.from,
    to: [...mail.to, ...cc, ...bcc],
  };
  if (!settings.signer) return settings.transport.sendMail({ ...message, envelope });
  const raw = await signMessage(await composeMessage(message), settings.signer);
  return settings.transport.sendMail({ envelope, raw, messageId: mail.messageId });
}
