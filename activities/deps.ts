// What activities need from the process that hosts them, built once by the worker.

import type { Transporter } from 'nodemailer';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { MailSigner } from '../delivery/signing-key';

export interface MailSettings {
  transport: Transporter;
  from: string;
  /** Domain of the stable Message-IDs (`<label@domain>`). */
  domain: string;
  /** An archive copy of every real report (HERALD_MAIL_BCC); never in mail test mode or redirect. */
  archiveBcc?: readonly string[];
  replyTo?: string;
  /** The envelope sender, where bounces go (HERALD_MAIL_RETURN_PATH); else `from`. */
  returnPath?: string;
  /** Signs every mail (HERALD_MAIL_SIGNING_KEY_FILE). */
  signer?: MailSigner;
}

export interface ActivityDeps {
  pool: pg.Pool;
  logger: Logger;
  mail: MailSettings;
}
