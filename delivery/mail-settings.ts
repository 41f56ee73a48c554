// The mail settings of a process that sends (a worker, `herald mail retry`), from the validated
// environment; the signing key is read and unlocked here, once.
import type { Transporter } from 'nodemailer';
import type { MailSettings } from '../activities/deps';
import type { HeraldEnv } from '../config/env';

export async function mailSettings(env: HeraldEnv, transport: Transporter): Promise<MailSettings> {
  const keyFile = env.HERALD_MAIL_SIGNING_KEY_FILE;
  return {
    transport,
    from: env.HERALD_MAIL_FROM,
    domain: env.HERALD_MAIL_DOMAIN,
    ...(env.HERALD_MAIL_BCC ? { archiveBcc: env.HERALD_MAIL_BCC } : {}),
    ...(env.HERALD_MAIL_REPLY_TO ? { replyTo: env.HERALD_MAIL_REPLY_TO } : {}),
    ...(env.HERALD_MAIL_RETURN_PATH ? { returnPath: env.HERALD_MAIL_RETURN_PATH } : {}),
    // openpgp is loaded only when there is a key: `mail retry` without one starts as quickly as before.
    ...(keyFile
      ? {
          signer: await (await import('./signing-key')).loadMailSigner(
            keyFile,
            env.HERALD_MAIL_SIGNING_PASSPHRASE_FILE,
          ),
        }
      : {}),
  };
}
