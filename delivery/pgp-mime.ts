// PGP/MIME signing (RFC 3156): the message's MIME entity (its Content-* headers and body, as
// nodemailer composes it: CRLF lines, 7-bit parts) is signed as it will be sent, and becomes the
// first part of a multipart/signed whose second part is the detached signature. Every other
// header (From, To, Subject, Message-ID, X-Mentat-*) stays on the outer message, unchanged.
// docs/mail.md shows the structure and how to verify it.
import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import type { MailSigner } from './signing-key';

/** The message as nodemailer would send it (Bcc left out of the headers). */
export async function composeMessage(options: Mail.Options): Promise<Buffer> {
  // quoted-printable for every text part: no line can be re-wrapped or lose trailing spaces in
  // transit, which would break the signature.
  return new MailComposer({ ...options, textEncoding: 'quoted-printable' }).compile().build();
}

/** Header fields of a header block, each with its folded continuation lines. */
function headerFields(block: string): string[] {
  const fields: string[] = [];
  for (const line of block.split('\r\n')) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  }
  return fields;
}

const isContentField = (field: string) => /^content-/i.test(field);

/** `message` (a composed MIME message) as a multipart/signed message. */
export async function signMessage(message: Buffer, signer: MailSigner): Promise<Buffer> {
  const text = message.toString('latin1'); // byte for byte: composed messages are 7-bit
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('composed message has no header block');
  const fields = headerFields(text.slice(0, end));
  // Canonical form (RFC 3156 §5): CRLF line ends, which nodemailer writes already.
  const body = text.slice(end + 4).replace(/\r?\n/g, '\r\n');
  const entity = `${fields.filter(isContentField).join('\r\n')}\r\n\r\n${body}`;
  const { signature, micalg } = await signer.sign(Buffer.from(entity, 'latin1'));
  const boundary = `----herald-signed-${randomBytes(12).toString('hex')}`;
  const outer = [
    ...fields.filter((f) => !isContentField(f)),
    `Content-Type: multipart/signed; protocol="application/pgp-signature";\r\n micalg=${micalg}; boundary="${boundary}"`,
  ];
  const signed = [
    `${outer.join('\r\n')}\r\n\r\n`,
    'This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n',
    `--${boundary}\r\n`,
    entity,
    `\r\n--${boundary}\r\n`,
    'Content-Type: application/pgp-signature; name="signature.asc"\r\n',
    'Content-Description: OpenPGP digital signature\r\n',
    'Content-Disposition: attachment; filename="signature.asc"\r\n\r\n',
    signature.replace(/\r?\n/g, '\r\n'),
    `\r\n--${boundary}--\r\n`,
  ];
  return Buffer.from(signed.join(''), 'latin1');
}
