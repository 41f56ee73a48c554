// Wrong recipients, property-based (fast-check): over random catalogs — nested networks
// owned by random groups (base or not), address lists per severity, modes, redirect, a global
// fallback — and random events, the engine's recipient path (whois chain → chains → report plan
// → recipients, glued as activities/reporting/render.ts does) never mails an address outside the
// report's group chain, its fallback groups and the global fallback, never one from a higher
// severity's list; in mail test mode and under redirect nobody but the test or admin addresses
// appears in To, Cc or Bcc.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainResults } from '../../../domain/reporting/chain-tally';
import type { Hit } from '../../../domain/reporting/chains';
import { resolveRecipients } from '../../../domain/reporting/recipients';
import {
  type ForceOptions,
  type GroupReportSettings,
  planReports,
  REPORTING_MODES,
} from '../../../domain/reporting/report-plan';
import { SEVERITIES, type Severity, severityIndex } from '../../../domain/reporting/severities';
import type { Pass } from '../../../domain/reporting/threshold-key';
import { type CatalogNetwork, createWhois } from '../../../domain/reporting/whois';

// Networks nest inside 10.0.0.0/16 so that chains of several groups are common.
const NETWORKS = ['10.0.0.0/16', '10.0.0.0/20', '10.0.1.0/24', '10.0.1.0/28', '10.0.2.0/24', '10.0.16.0/20'];
const GROUPS = ['g0', 'g1', 'g2', 'g3', 'g4', 'g5'];
const TEST_ADDRESSES = ['tester@csirt.test', 'qa@csirt.test'];
const ADMINS = ['admin@csirt.test'];
const CONFIG_BCC = ['archive@csirt.test'];
const FALLBACK = ['fallback@csirt.test', 'fallback2@csirt.test'];

/** Every address says whose it is: `<group>.<severity>.<n>@groups.test`. */
const owner = (address: string) => {
  const [group, severity] = address.split('@')[0]!.split('.');
  return { group: group!, severity: severity as Severity };
};

const groupSettings = (name: string) =>
  fc
    .record({
      mode: fc.constantFrom(...REPORTING_MODES, null),
      redirect: fc.boolean(),
      locale: fc.constant(null),
      timezone: fc.constant(null),
      emails: fc.record(
        Object.fromEntries(
          SEVERITIES.map((sev) => [
            sev,
            fc.subarray([0, 1, 2]).map((ns) => ns.map((n) => `${name}.${sev}.${n}@groups.test`)),
          ]),
        ) as Record<Severity, fc.Arbitrary<string[]>>,
      ),
    })
    .map((s): GroupReportSettings => ({ name, ...s }));

const catalog = fc.record({
  settings: fc.tuple(...GROUPS.map(groupSettings)),
  networks: fc.array(
    fc.record({
      group: fc.constantFrom(...GROUPS),
      network: fc.constantFrom(...NETWORKS),
      isBase: fc.boolean(),
      rank: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  globalFallback: fc.subarray(FALLBACK),
  ips: fc.array(
    fc
      .tuple(fc.constantFrom(0, 1, 2, 16, 17), fc.integer({ min: 0, max: 20 }))
      .map(([c, d]) => `10.0.${c}.${d}`),
    { minLength: 1, maxLength: 20 },
  ),
  severity: fc.constantFrom(...SEVERITIES),
  pass: fc.constantFrom<Pass>('source', 'target'),
  force: fc.record({ mode: fc.option(fc.constantFrom(...REPORTING_MODES), { nil: undefined }) }),
  mailTestMode: fc.boolean(),
  testAddresses: fc.subarray(TEST_ADDRESSES),
  admins: fc.subarray(ADMINS),
});

type Catalog = typeof catalog extends fc.Arbitrary<infer T> ? T : never;

/** Every mail the engine would send for each group of the catalog, with the report it belongs to. */
function mailsOf(c: Catalog) {
  const networks: CatalogNetwork[] = c.networks;
  const whois = createWhois(networks);
  const settings = new Map(c.settings.map((s) => [s.name, s]));
  const force: ForceOptions = c.force.mode ? { mode: c.force.mode } : {};
  const mails = [];
  for (const group of GROUPS) {
    // As the classifier does: only IPs whose chain holds the processed group are its hits.
    const hits: Hit[] = c.ips.flatMap((ip, i) => {
      const ref = whois.lookup(ip);
      return ref.chain.includes(group) ? [{ eventId: `e${i}`, ip, stage: 'passed' as const, ...ref }] : [];
    });
    for (const report of planReports(c.pass, chainResults(hits, []), settings, force)) {
      if (report.mailGroups.length === 0) continue;
      // The glue of activities/reporting/render.ts.
      const recipients = resolveRecipients({
        severity: c.severity,
        groups: report.mailGroups.map((g) => settings.get(g)).filter((g) => g !== undefined),
        fallbackGroups: report.fallback.map((g) => settings.get(g)).filter((g) => g !== undefined),
        globalFallback: c.globalFallback,
        bcc: CONFIG_BCC,
        redirect: report.redirect,
        mailTestMode: c.mailTestMode,
        testAddresses: c.testAddresses,
        adminAddresses: c.admins.length > 0 ? c.admins : ['herald@csirt.test'],
      });
      mails.push({ group, report, recipients, ips: [...report.regular.keys()] });
    }
  }
  return { mails, whois };
}

describe('recipients over random catalogs (fast-check)', () => {
  it('never mails outside the report chain, its fallback groups and the global fallback', () => {
    fc.assert(
      fc.property(catalog, (c) => {
        fc.pre(!c.mailTestMode);
        const { mails, whois } = mailsOf(c);
        for (const { group, report, recipients, ips } of mails) {
          if (report.redirect) continue; // the next property
          // The chain is the group's own: every reported IP lies in networks of exactly these groups.
          expect(report.chain).toContain(group);
          for (const ip of ips)
            expect(whois.lookup(ip)).toEqual({ chain: report.chain, fallback: report.fallback });
          for (const g of report.mailGroups) expect(report.chain).toContain(g);
          for (const address of [...recipients.to, ...recipients.cc]) {
            if (FALLBACK.includes(address)) {
              expect(recipients.source).toBe('global-fallback');
              continue;
            }
            const { group: ownerGroup, severity } = owner(address);
            expect([...report.mailGroups, ...report.fallback]).toContain(ownerGroup);
            expect(severityIndex(severity)).toBeLessThanOrEqual(severityIndex(c.severity));
          }
          for (const address of recipients.bcc) expect(CONFIG_BCC).toContain(address);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('in mail test mode and under redirect, To holds only test or admin addresses; Cc and Bcc are empty', () => {
    fc.assert(
      fc.property(catalog, (c) => {
        const { mails } = mailsOf(c);
        for (const { report, recipients } of mails) {
          if (!c.mailTestMode && !report.redirect) continue;
          const allowed = c.mailTestMode && c.testAddresses.length > 0 ? c.testAddresses : c.admins;
          const expected = allowed.length > 0 ? allowed : ['herald@csirt.test'];
          expect(recipients.to.length).toBeGreaterThan(0);
          for (const address of recipients.to) expect(expected).toContain(address);
          expect(recipients.cc).toEqual([]);
          expect(recipients.bcc).toEqual([]);
        }
      }),
      { numRuns: 400 },
    );
  });
});
