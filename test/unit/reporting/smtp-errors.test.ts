// Which SMTP refusals end a mail for good (recorded as failed) and which are retried.
import { describe, expect, it } from 'vitest';
import { isPermanentSmtpError } from '../../../activities/reporting/send';

// Shaped as nodemailer reports them: `code` and, when the server answered, `responseCode`.
const smtp = (responseCode: number, code = 'EMESSAGE') => ({
  responseCode,
  code,
  message: `${responseCode} …`,
});

describe('isPermanentSmtpError', () => {
  it('a refusal of the mail or its addresses is final', () => {
    for (const code of [550, 551, 552, 553, 554])
      expect(isPermanentSmtpError(smtp(code)), String(code)).toBe(true);
    expect(isPermanentSmtpError({ code: 'EENVELOPE', message: 'No recipients defined' })).toBe(true);
  });

  it("a refusal of herald's own login or TLS is retried: the mail is not at fault", () => {
    for (const code of [530, 534, 535, 538])
      expect(isPermanentSmtpError(smtp(code, 'EAUTH')), String(code)).toBe(false);
    expect(isPermanentSmtpError(smtp(535, 'EMESSAGE'))).toBe(false);
    expect(isPermanentSmtpError({ code: 'EAUTH', message: 'Missing credentials for "PLAIN"' })).toBe(false);
  });

  it('temporary answers and lost connections are retried', () => {
    for (const code of [421, 450, 451, 452])
      expect(isPermanentSmtpError(smtp(code)), String(code)).toBe(false);
    expect(isPermanentSmtpError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' })).toBe(false);
    expect(isPermanentSmtpError(new Error('socket hang up'))).toBe(false);
  });
});
