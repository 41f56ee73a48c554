// What activities need from the process that hosts them, built once by the worker.

import type { Transporter } from 'nodemailer';
import type pg from 'pg';
import type { Logger } from 'pino';

export interface MailSettings {
  transport: Transporter;
  from: string;
  /** Domain of the stable Message-IDs (`<label@domain>`). */
  domain: string;
}

export interface ActivityDeps {
  pool: pg.Pool;
  logger: Logger;
  mail: MailSettings;
}
