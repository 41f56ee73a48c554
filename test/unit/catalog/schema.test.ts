import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { repoRoot } from '../../../config/paths';
import { parseCatalog } from '../../../domain/catalog/schema';

const load = (file: string) => YAML.parse(readFileSync(path.join(repoRoot, file), 'utf8'));

describe('catalog file validation', () => {
  it.each(['catalog/default-catalog.yaml', 'scripts/demo/demo-catalog.yaml'])('accepts %s', (file) => {
    const result = parseCatalog(load(file));
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('reports a bad CIDR, an unknown mode, a bad time zone and an uncompilable filter, one line each', () => {
    const result = parseCatalog({
      groups: [
        { name: 'a', networks: [{ cidr: '192.0.2.0/24' }] },
        { name: 'b' },
        {
          name: 'c',
          networks: [{ cidr: '10.0.0.0/33' }],
          reporting: { mode: 'weekly-digest', timezone: 'Mars/Olympus_Mons' },
          filters: [{ name: 'broken', type: 'advanced', expression: 'Category ==' }],
        },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'groups[2].networks[0].cidr: "10.0.0.0/33" is not a network',
      'groups[2].reporting.mode: "weekly-digest" is not a mode (expected summary, extra, both or none)',
      'groups[2].reporting.timezone: "Mars/Olympus_Mons" is not a time zone (expected an IANA name such as Europe/Prague)',
      expect.stringMatching(
        /^groups\[2\]\.filters\[0\]\.expression: filter "broken" of group "c": at 1:\d+: /,
      ),
    ]);
  });

  it('rejects CR/LF in names and addresses (header injection) and host bits in networks', () => {
    const result = parseCatalog({
      groups: [
        {
          name: 'evil\r\nBcc: victim@example.org',
          networks: [{ cidr: '10.0.0.1/8' }],
          reporting: { emails: { high: ['abuse@example.org\r\nBcc: x@example.org'] } },
        },
      ],
    });
    expect(result.ok ? [] : result.problems).toEqual([
      'groups[0].name: "evil\\r\\nBcc: victim@example.org" contains a line break or control character',
      'groups[0].networks[0].cidr: "10.0.0.1/8" is not a network (host bits set; did you mean 10.0.0.0/8?)',
      'groups[0].reporting.emails.high[0]: "abuse@example.org\\r\\nBcc: x@example.org" contains a line break (header injection)',
    ]);
  });

  it('reports unknown keys, duplicates, empty basic filters and timing order', () => {
    const result = parseCatalog({
      settings: { timings: { high: { per: '10mins', thr: '1hr', rel: '2hrs' } } },
      detectors: [{ name: 'd' }, { name: 'd' }],
      filters: [{ name: 'nothing', type: 'basic' }],
      groups: [{ name: 'g', networkz: [] }],
    });
    expect(result.ok ? [] : result.problems).toEqual(['groups[0]: unknown key "networkz"']);
    const second = parseCatalog({
      settings: { timings: { high: { per: '10mins', thr: '1hr', rel: '2hrs' } } },
      detectors: [{ name: 'd' }, { name: 'd' }],
      filters: [{ name: 'nothing', type: 'basic' }],
    });
    expect(second.ok ? [] : second.problems).toEqual([
      'detectors[1].name: "d" is listed twice',
      'filters[0]: a basic filter needs at least one list (it would drop every event)',
      'settings.timings.high.rel: must not be longer than thr',
    ]);
  });

  it('turns interval names into seconds', () => {
    const result = parseCatalog({
      settings: { timings: { low: { per: '1day', thr: '6days', rel: 0 } } },
      groups: [{ name: 'g', reporting: { interval: '1hr' } }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.catalog.settings?.timings?.low).toEqual({ per: 86400, thr: 518400, rel: 0 });
    expect(result.catalog.groups[0]?.reporting?.interval).toBe(3600);
  });

  it('refuses a target relapse window longer than the target suppression (0 when not given)', () => {
    const result = parseCatalog({
      settings: { timings: { low: { per: '1day', thr: '6days', rel: '2days', rel_target: '1day' } } },
    });
    expect(result.ok ? [] : result.problems).toEqual([
      'settings.timings.low.rel_target: must not be longer than thr_target (0 when not given)',
    ]);
  });

  it('reads attachment kinds and compression, the older boolean as gzip, and names a wrong value', () => {
    const result = parseCatalog({
      groups: [
        { name: 'a', reporting: { attachments: 'csv', compress: 'zip' } },
        { name: 'b', reporting: { attachments: 'both', compress: true } },
        { name: 'c', reporting: { attachments: 'json', compress: false } },
      ],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.catalog.groups.map((g) => [g.reporting?.attachments, g.reporting?.compress])).toEqual([
      ['csv', 'zip'],
      ['both', 'gzip'],
      ['json', 'none'],
    ]);
    const bad = parseCatalog({ groups: [{ name: 'd', reporting: { attachments: 'xml', compress: 'rar' } }] });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.join('\n')).toMatch(/attachments.*expected none, json, csv or both/);
    expect(bad.problems.join('\n')).toMatch(/compress.*expected none, gzip or zip/);
  });
});
