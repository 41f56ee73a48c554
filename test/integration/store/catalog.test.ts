import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { exportCatalog } from '../../../db/catalog/export';
import { loadFilters, loadGlobalSettings, loadGroups, loadNetworks } from '../../../db/catalog/read';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(path.join(tmpdir(), 'herald-catalog-'));
const file = (name: string, document: unknown) => {
  const target = path.join(dir, name);
  writeFileSync(target, YAML.stringify(document));
  return target;
};
const snapshot = async () =>
  (
    await db.pool.query(
      `SELECT (SELECT json_agg(g ORDER BY name) FROM (SELECT name, description, enabled, parent_id FROM groups) g) AS groups,
              (SELECT json_agg(n ORDER BY network) FROM (SELECT network::text, name, is_base FROM networks) n) AS networks,
              (SELECT json_agg(s ORDER BY group_id) FROM (SELECT group_id, mode, timezone, attachments, attachments_compress, max_attachment_bytes FROM group_settings) s) AS settings,
              (SELECT json_agg(f ORDER BY name) FROM (SELECT name, expression FROM filters) f) AS filters,
              (SELECT count(*) FROM event_classes) AS classes, (SELECT count(*) FROM detectors) AS detectors`,
    )
  ).rows[0];

beforeAll(async () => {
  db = await freshDatabase();
  env = isolatedEnv({ HERALD_DATABASE_URL: db.url, HERALD_HOME: dir });
  for (const catalog of ['catalog/default-catalog.yaml', 'scripts/demo/demo-catalog.yaml']) {
    const result = await runCli(['catalog', 'import', catalog, '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }
});
afterAll(async () => {
  await db?.drop();
});

describe('catalog import', () => {
  it('rejects a file with a bad CIDR, unknown mode, bad time zone and uncompilable filter, one line each, applying nothing', async () => {
    const before = await snapshot();
    const bad = file('bad.yaml', {
      detectors: [{ name: 'new-detector', credibility: 0.5 }],
      groups: [
        { name: 'university', description: 'changed', networks: [{ cidr: '192.0.2.0/25' }] },
        {
          name: 'newcomer',
          networks: [{ cidr: '10.0.0.0/33' }],
          reporting: { mode: 'sometimes', timezone: 'Europe/Atlantis' },
          filters: [{ name: 'broken', type: 'advanced', expression: 'ipIn(sourceIPs[0], "10.0.0.0/8") &&' }],
        },
      ],
    });
    const result = await runCli(['catalog', 'import', bad], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      `herald: ${bad}: 4 problem(s), nothing imported`,
      `${bad}: groups[1].networks[0].cidr: "10.0.0.0/33" is not a network`,
      `${bad}: groups[1].reporting.mode: "sometimes" is not a mode (expected summary, extra, both or none)`,
      `${bad}: groups[1].reporting.timezone: "Europe/Atlantis" is not a time zone (expected an IANA name such as Europe/Prague)`,
      expect.stringMatching(
        new RegExp(
          `^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: groups\\[1\\]\\.filters\\[0\\]\\.expression: filter "broken" of group "newcomer": at 1:`,
        ),
      ),
    ]);
    expect(await snapshot()).toEqual(before);

    const dryRun = await runCli(['catalog', 'import', bad, '--dry-run'], env);
    expect([dryRun.code, dryRun.stderr]).toEqual([1, result.stderr]);

    const json = await runCli(['catalog', 'import', bad, '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      imported: false,
      problems: expect.arrayContaining([expect.any(String)]),
    });
  });

  it('rolls back everything when only the database can see the problem (unknown parent)', async () => {
    const before = await snapshot();
    const orphan = file('orphan.yaml', {
      detectors: [{ name: 'another-detector' }],
      groups: [
        { name: 'university', description: 'changed again' },
        { name: 'orphan', parent: 'no-such-group', networks: [{ cidr: '10.9.0.0/16' }] },
      ],
    });
    const result = await runCli(['catalog', 'import', orphan], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `herald: ${orphan}: 1 problem(s), nothing imported`,
      `${orphan}: groups[1].parent: "no-such-group" is not a group`,
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('reports a YAML syntax error with its line', async () => {
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, 'groups:\n  - name: a\n   networks: [\n');
    const result = await runCli(['catalog', 'import', broken], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^herald: .*broken\.yaml:\d+:\d+: not valid YAML\/JSON: /);
  });

  it('exports what it imported, and the export imports back unchanged; filter hits survive', async () => {
    await db.pool.query(`UPDATE filters SET hits = 7 WHERE name = 'ignore-lab-scans'`);
    const exported = await runCli(['catalog', 'export', '--json'], env);
    expect(exported.code).toBe(0);
    const document = JSON.parse(exported.stdout);
    expect(document.groups.map((g: { name: string }) => g.name)).toEqual([
      'csirt-national',
      'hosting-example',
      'isp-example',
      'university',
      'university-dorms',
    ]);
    const again = await runCli(['catalog', 'import', file('export.yaml', document)], env);
    expect(again.stderr).toBe('');
    expect(await exportCatalog(db.pool)).toEqual(document);
    expect(
      (await loadFilters(db.pool, { group: 'university' })).find((f) => f.name === 'ignore-lab-scans')?.hits,
    ).toBe(7);
    const yaml = await runCli(['catalog', 'export'], env);
    expect(YAML.parse(yaml.stdout)).toEqual(document);
  });

  it('leaves the global filters alone when a file has no `filters`, and clears them with `filters: []`', async () => {
    const globalFilters = async () =>
      (
        await db.pool.query<{ name: string }>('SELECT name FROM filters WHERE group_id IS NULL ORDER BY name')
      ).rows.map((r) => r.name);
    const before = await globalFilters();
    expect(before).toContain('drop-noisy-sensor-scans');
    const detectorsOnly = await runCli(
      [
        'catalog',
        'import',
        file('detectors-only.yaml', { detectors: [{ name: 'extra-sensor', credibility: 0.9 }] }),
      ],
      env,
    );
    expect(detectorsOnly.stderr).toBe('');
    expect(await globalFilters()).toEqual(before);

    const cleared = await runCli(['catalog', 'import', file('no-global-filters.yaml', { filters: [] })], env);
    expect(cleared.stderr).toBe('');
    expect(await globalFilters()).toEqual([]);
    // Back as the other tests expect it.
    const restored = await runCli(['catalog', 'import', 'scripts/demo/demo-catalog.yaml'], env);
    expect(restored.code).toBe(0);
    expect(await globalFilters()).toEqual(before);
  });

  it('gives the reporter groups with settings, networks, filters and global timing defaults', async () => {
    const [dorms] = await loadGroups(db.pool, { names: ['university-dorms'] });
    expect(dorms).toMatchObject({
      parent: 'university',
      settings: {
        mode: 'extra',
        locale: 'cs',
        timezone: 'Europe/Prague',
        emails: { low: ['dorms-abuse@university.example'] },
      },
    });
    const isp = (await loadGroups(db.pool, { names: ['isp-example'] }))[0];
    expect(isp?.settings.intervalSeconds).toBe(3600);
    expect(isp?.settings).toMatchObject({
      attachments: 'none',
      compress: 'none',
      maxAttachmentBytes: 10 * 1024 * 1024,
    });
    const [hosting] = await loadGroups(db.pool, { names: ['hosting-example'] });
    expect(hosting?.settings).toMatchObject({
      attachments: 'json',
      compress: 'gzip',
      maxAttachmentBytes: 2 * 1024 * 1024,
    });
    const networks = await loadNetworks(db.pool);
    // Most specific first (IPv4 here; IPv6 prefixes are longer and sort before).
    expect(networks.filter((n) => !n.network.includes(':'))[0]).toMatchObject({
      group: 'university-dorms',
      network: '192.0.2.64/27',
    });
    const basic = (await loadFilters(db.pool)).find((f) => f.name === 'drop-noisy-sensor-scans');
    expect(basic).toMatchObject({
      group: null,
      type: 'basic',
      expression: expect.stringContaining('detectors.exists'),
    });
    const settings = await loadGlobalSettings(db.pool);
    expect(settings.fallbackEmails).toEqual(['abuse-fallback@csirt.example.org']);
    expect(settings.adminEmails).toEqual(['reporting-admin@csirt.example.org']);
    expect(settings.timings).toEqual({
      info: { per: 86400, thr: 2419200, rel: 604800, thrTarget: 0, relTarget: 0 },
      low: { per: 86400, thr: 518400, rel: 172800, thrTarget: 0, relTarget: 0 },
      medium: { per: 7200, thr: 518400, rel: 172800, thrTarget: 0, relTarget: 0 },
      high: { per: 600, thr: 86400, rel: 43200, thrTarget: 0, relTarget: 0 },
      critical: { per: 600, thr: 7200, rel: 0, thrTarget: 0, relTarget: 0 },
    });
  });
});
