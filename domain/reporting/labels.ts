// Report labels in Mentat's shape, `M<YYYYMMDD><type><severity>-<5 of [A-Z0-9]>`
// (e.g. M20250314SH-7QK2Z), but derived from the report's identity instead of drawn at random
// (a retried run produces the same labels, so nothing is stored or mailed twice).
import type { Severity } from './severities';

export type ReportType = 'summary' | 'extra' | 'target';

export interface ReportIdentity {
  /** The group whose run produced the report. */
  group: string;
  severity: Severity;
  /** Exclusive end of the run's window (ISO, UTC); its date is the label's date. */
  windowEnd: string;
  type: ReportType;
  /** The group chain the report is for, most specific first. */
  chain: readonly string[];
  /** The source IP of an extra report; null for summary and target reports. */
  ip: string | null;
  /**
   * Base-network owners of the chain (recipients of last resort). Two chains can differ only
   * here (a fallback group's filter dropped it for some IPs); empty lists leave the key
   * unchanged, so the labels of chains without fallback groups do not depend on this field.
   */
  fallback?: readonly string[];
  /** Test-data runs report other events than the real run of the same window. */
  testData?: boolean;
  /** A re-run's reports sit beside those of the window's own run (its realm names the re-run). */
  rerun?: string;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const SUFFIX_SPACE = 36n ** 5n;

/** The identity as one canonical string: the report's idempotency key. */
export function reportKey(identity: ReportIdentity): string {
  return JSON.stringify([
    identity.group,
    identity.severity,
    new Date(identity.windowEnd).toISOString(),
    identity.type,
    identity.chain,
    identity.ip,
    identity.testData === true,
    ...(identity.fallback && identity.fallback.length > 0 ? [identity.fallback] : []),
    ...(identity.rerun ? [{ rerun: identity.rerun }] : []),
  ]);
}

/**
 * The label of a report. `attempt` > 0 gives the next candidate when the 5-character suffix
 * collides with another report's label (36^5 ≈ 60 million per day, type and severity), so the
 * label stays a pure function of the identity and of the labels already taken.
 */
export function reportLabel(identity: ReportIdentity, attempt = 0): string {
  const date = new Date(identity.windowEnd).toISOString().slice(0, 10).replaceAll('-', '');
  const type = identity.type.charAt(0).toUpperCase();
  const severity = identity.severity.charAt(0).toUpperCase();
  let n = fnv1a64(attempt === 0 ? reportKey(identity) : `${reportKey(identity)}#${attempt}`) % SUFFIX_SPACE;
  let suffix = '';
  for (let i = 0; i < 5; i++) {
    suffix = ALPHABET[Number(n % 36n)] + suffix;
    n /= 36n;
  }
  return `M${date}${type}${severity}-${suffix}`;
}

export const LABEL_PATTERN = /^M\d{8}[SET][ILMHC]-[A-Z0-9]{5}$/;

/** FNV-1a, 64 bit, over the UTF-8 bytes: small, pure and stable across platforms. */
function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}
