import { describe, expect, it } from 'vitest';
import { resolveRecipients } from '../../../domain/reporting/recipients';

const child = { name: 'child', emails: { high: ['soc@child.example'], low: ['noc@child.example'] } };
const parent = {
  name: 'parent',
  emails: { medium: ['abuse@parent.example'], critical: ['cert@parent.example'] },
};
const base = { name: 'isp', emails: { info: ['abuse@isp.example'] } };

describe('recipients', () => {
  it('takes To from the report severity down, the rest of the chain in Cc', () => {
    expect(
      resolveRecipients({
        severity: 'high',
        groups: [child, parent],
        fallbackGroups: [base],
        globalFallback: [],
      }),
    ).toMatchObject({
      to: ['soc@child.example'],
      cc: ['noc@child.example', 'abuse@parent.example'],
      bcc: [],
      source: 'groups',
    });
  });
  it('uses a lower list as To when the severity list is empty, never a higher one', () => {
    const r = resolveRecipients({
      severity: 'medium',
      groups: [child, parent],
      fallbackGroups: [],
      globalFallback: [],
    });
    expect(r.to).toEqual(['noc@child.example']);
    expect(r.cc).toEqual(['abuse@parent.example']);
    expect(r.cc).not.toContain('cert@parent.example');
  });
  it('falls back to the base-network groups, then to the global list', () => {
    const silent = { name: 'silent', emails: {} };
    expect(
      resolveRecipients({
        severity: 'low',
        groups: [silent],
        fallbackGroups: [base],
        globalFallback: ['x@y'],
      }),
    ).toMatchObject({
      to: ['abuse@isp.example'],
      source: 'fallback-groups',
    });
    expect(
      resolveRecipients({ severity: 'low', groups: [silent], fallbackGroups: [], globalFallback: ['x@y'] }),
    ).toMatchObject({
      to: ['x@y'],
      cc: [],
      source: 'global-fallback',
    });
  });
  it('replaces To and clears Cc and Bcc in mail test mode and on redirect', () => {
    const common = {
      severity: 'high' as const,
      groups: [child, parent],
      fallbackGroups: [],
      globalFallback: [],
      bcc: ['archive@csirt'],
    };
    expect(
      resolveRecipients({
        ...common,
        mailTestMode: true,
        testAddresses: ['tester@csirt'],
        adminAddresses: ['admin@csirt'],
      }),
    ).toEqual({
      to: ['tester@csirt'],
      cc: [],
      bcc: [],
      source: 'test-mode',
    });
    expect(resolveRecipients({ ...common, redirect: true, adminAddresses: ['admin@csirt'] })).toEqual({
      to: ['admin@csirt'],
      cc: [],
      bcc: [],
      source: 'redirect',
    });
    expect(resolveRecipients(common).bcc).toEqual(['archive@csirt']);
  });
});
