// The SMTP transport behind every mail herald sends (HERALD_SMTP_URL).
import nodemailer, { type Transporter } from 'nodemailer';
import { ConfigError, config } from '../config/env';

export function smtpUrl(): string {
  const url = config().HERALD_SMTP_URL;
  if (!url)
    throw new ConfigError('HERALD_SMTP_URL: not set and no local stack found; run `herald dev up` or set it');
  return url;
}

export function createMailTransport(url = smtpUrl()): Transporter {
  return nodemailer.createTransport(url);
}
