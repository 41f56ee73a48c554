// The OpenPGP key that signs every mail (HERALD_MAIL_SIGNING_KEY_FILE), read and unlocked once when
// a worker starts. It stays inside the signer's closure: it is never returned, logged or put into
// an error message, and an error about it names the file, never its contents.
import { readFileSync } from 'node:fs';
import * as openpgp from 'openpgp';
import { ConfigError } from '../config/env';

export interface MailSigner {
  /** A detached ASCII-armored signature over `data`, and its hash for `micalg` (e.g. `pgp-sha256`). */
  sign(data: Uint8Array): Promise<{ signature: string; micalg: string }>;
  /** The key's fingerprint, for the worker's start-up line. */
  fingerprint: string;
}

function readText(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${variable}: cannot read ${file} (${code})`);
  }
}

/** The signer of `keyFile`; any problem with the key is one ConfigError line. */
export async function loadMailSigner(keyFile: string, passphraseFile?: string): Promise<MailSigner> {
  const armored = readText('HERALD_MAIL_SIGNING_KEY_FILE', keyFile);
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch {
    throw new ConfigError(
      `HERALD_MAIL_SIGNING_KEY_FILE: ${keyFile} is not an ASCII-armored OpenPGP secret key (gpg --export-secret-keys --armor)`,
    );
  }
  if (!key.isDecrypted()) {
    if (!passphraseFile)
      throw new ConfigError(
        `HERALD_MAIL_SIGNING_PASSPHRASE_FILE: the key in ${keyFile} is protected by a passphrase; name the file that holds it`,
      );
    const passphrase = readText('HERALD_MAIL_SIGNING_PASSPHRASE_FILE', passphraseFile).replace(/\r?\n$/, '');
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      throw new ConfigError(
        `HERALD_MAIL_SIGNING_PASSPHRASE_FILE: the passphrase in ${passphraseFile} does not unlock the key in ${keyFile}`,
      );
    }
  }
  try {
    await key.getSigningKey();
  } catch {
    throw new ConfigError(
      `HERALD_MAIL_SIGNING_KEY_FILE: the key in ${keyFile} has no usable signing key (expired or revoked?)`,
    );
  }
  const signingKey = key;
  return {
    fingerprint: signingKey.getFingerprint().toUpperCase(),
    async sign(data) {
      const message = await openpgp.createMessage({ binary: data });
      const signature = await openpgp.sign({
        message,
        signingKeys: signingKey,
        detached: true,
        format: 'armored',
      });
      const parsed = await openpgp.readSignature({ armoredSignature: signature });
      const packet = parsed.packets[0] as unknown as { hashAlgorithm: number };
      const hash = openpgp.enums.read(openpgp.enums.hash, packet.hashAlgorithm) as string;
      return { signature, micalg: `pgp-${hash.toLowerCase()}` };
    },
  };
}
