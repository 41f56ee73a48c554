// Who receives a report, plus herald's redirect and
// mail test mode, which replace To and clear Cc and Bcc (docs/mentat.md, "Test mode and redirect").
import { SEVERITIES, type Severity, severityIndex } from './severities';

/** A group's address lists per severity (`emails_<sev>`). */
export type SeverityEmails = Partial<Record<Severity, readonly string[]>>;

export interface RecipientGroup {
  name: string;
  emails: SeverityEmails;
}

export interface Recipients {
  to: string[];
  cc: string[];
  bcc: string[];
  /** Why the list looks the way it does: 'groups' | 'fallback-groups' | 'global-fallback' | 'redirect' | 'test-mode'. */
  source: 'groups' | 'fallback-groups' | 'global-fallback' | 'redirect' | 'test-mode' | 'none';
}

export interface RecipientOptions {
  severity: Severity;
  /** Groups that want this report, most specific first. */
  groups: readonly RecipientGroup[];
  /** Groups owning base networks of the IP (used only when `groups` give no To). */
  fallbackGroups: readonly RecipientGroup[];
  /** The global fallback list (`__core__reporter.fallback`). */
  globalFallback: readonly string[];
  /** Bcc from configuration; kept only in normal delivery. */
  bcc?: readonly string[];
  /** The deciding group's `redirect` setting: deliver to `adminAddresses` only. */
  redirect?: boolean;
  /** `--mail-test-mode`: deliver to `testAddresses` (the `--mail-to` addresses) or else the admins. */
  mailTestMode?: boolean;
  testAddresses?: readonly string[];
  adminAddresses?: readonly string[];
}

/** Mentat's walk: per group (most specific first), per severity from the report's down to info. */
export function collectRecipients(
  severity: Severity,
  groups: readonly RecipientGroup[],
): { to: string[]; cc: string[] } {
  let to: string[] = [];
  const cc: string[] = [];
  for (const group of groups) {
    for (let i = severityIndex(severity); i >= 0; i--) {
      const list = [...new Set(group.emails[SEVERITIES[i] as Severity] ?? [])];
      if (list.length === 0) continue;
      if (to.length === 0) {
        to = list;
        continue;
      }
      for (const address of list) if (!to.includes(address) && !cc.includes(address)) cc.push(address);
    }
  }
  return { to, cc };
}

export function resolveRecipients(options: RecipientOptions): Recipients {
  if (options.mailTestMode || options.redirect) {
    const testMode = options.mailTestMode === true;
    const to = [
      ...new Set(
        testMode && options.testAddresses && options.testAddresses.length > 0
          ? options.testAddresses
          : (options.adminAddresses ?? []),
      ),
    ];
    return { to, cc: [], bcc: [], source: testMode ? 'test-mode' : 'redirect' };
  }
  const bcc = [...new Set(options.bcc ?? [])];
  const fromGroups = collectRecipients(options.severity, options.groups);
  if (fromGroups.to.length > 0) return { ...fromGroups, bcc, source: 'groups' };
  const fromFallback = collectRecipients(options.severity, options.fallbackGroups);
  if (fromFallback.to.length > 0) return { ...fromFallback, bcc, source: 'fallback-groups' };
  const global = [...new Set(options.globalFallback)];
  return {
    to: global,
    cc: [],
    bcc: global.length > 0 ? bcc : [],
    source: global.length > 0 ? 'global-fallback' : 'none',
  };
}
