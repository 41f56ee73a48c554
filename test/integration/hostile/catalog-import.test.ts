// Hostile input: catalog files with header-injection attempts in group names and e-mail
// addresses, a YAML alias bomb and filter expressions that try to loop or overflow the stack.
// `herald catalog import` rejects them with one line per problem (file, path, reason) and applies
// nothing (docs/schema.md: the import is one transaction); loops that CEL can express compile
// and are bounded when evaluated (test/unit/filters/hostile-expressions.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(path.join(tmpdir(), 'herald-hostile-catalog-'));
const write = (name: string, text: string) => {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
};
const counts = async () =>
  (
    await db.pool.query(
      `SELECT (SELECT count(*)::int FROM groups) AS groups, (SELECT count(*)::int FROM filters) AS filters,
              (SELECT fallback_emails FROM global_settings) AS fallback`,
    )
  ).rows[0];

const ten = '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]';
const validGroup = {
  name: 'acme',
  networks: [{ cidr: '192.0.2.0/24' }],
  reporting: { emails: { high: ['soc@acme.example'] } },
};

beforeAll(async () => {
  db = await freshDatabase();
  env = isolatedEnv({ HERALD_DATABASE_URL: db.url, HERALD_HOME: dir });
});
afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile catalog files', () => {
  it('rejects CR/LF and other header injection in group names and addresses, naming file and path, importing nothing', async () => {
    const before = await counts();
    const file = write(
      'inject.yaml',
      YAML.stringify({
        settings: { fallback_emails: ['abuse@csirt.example\nBcc: all@evil.example'] },
        groups: [
          validGroup,
          { name: 'evil\r\nBcc: victim@evil.example', networks: [{ cidr: '198.51.100.0/24' }] },
          { name: 'nel\u0085Bcc: x@evil.example' },
          { name: 'separator\u2028To: x@evil.example' },
          {
            name: 'mailers',
            reporting: {
              emails: {
                high: [
                  'soc@mailers.example\r\nBcc: victim@evil.example',
                  'soc@mailers.example, other@evil.example',
                  'Boss <boss@evil.example>',
                  'soc@mailers.example\r\n\r\n<script>alert(1)</script>',
                ],
                low: ["x'; DROP TABLE groups; --@evil.example"],
              },
            },
          },
        ],
      }),
    );
    const result = await runCli(['catalog', 'import', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe(`herald: ${file}: 9 problem(s), nothing imported`);
    expect(lines.slice(1).sort()).toEqual(
      [
        `${file}: settings.fallback_emails[0]: "abuse@csirt.example\\nBcc: all@evil.example" contains a line break (header injection)`,
        `${file}: groups[1].name: "evil\\r\\nBcc: victim@evil.example" contains a line break or control character`,
        `${file}: groups[2].name: "nel\u0085Bcc: x@evil.example" contains a line break or control character`,
        `${file}: groups[3].name: "separator\u2028To: x@evil.example" contains a line break or control character`,
        `${file}: groups[4].reporting.emails.high[0]: "soc@mailers.example\\r\\nBcc: victim@evil.example" contains a line break (header injection)`,
        `${file}: groups[4].reporting.emails.high[1]: "soc@mailers.example, other@evil.example" is not an e-mail address`,
        `${file}: groups[4].reporting.emails.high[2]: "Boss <boss@evil.example>" is not an e-mail address`,
        `${file}: groups[4].reporting.emails.high[3]: "soc@mailers.example\\r\\n\\r\\n<script>alert(1)</script>" contains a line break (header injection)`,
        `${file}: groups[4].reporting.emails.low[0]: "x'; DROP TABLE groups; --@evil.example" is not an e-mail address`,
      ].sort(),
    );
    expect(await counts()).toEqual(before);
  });

  it('rejects a YAML alias bomb with a clear line instead of expanding it', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const file = write('bomb.yaml', `${levels.join('\n')}\ngroups: []\n`);
    const result = await runCli(['catalog', 'import', file], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toBe(
      `herald: ${file}: not valid YAML/JSON: Excessive alias count indicates a resource exhaustion attack\n`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects filters nested too deeply to compile, names them, and imports nothing', async () => {
    const before = await counts();
    const file = write(
      'deep.yaml',
      YAML.stringify({
        groups: [
          {
            ...validGroup,
            filters: [
              {
                name: 'parens',
                type: 'advanced',
                expression: `${'('.repeat(20_000)}true${')'.repeat(20_000)}`,
              },
              { name: 'sum', type: 'advanced', expression: `size(Description${' + ID'.repeat(20_000)}) > 0` },
              { name: 'outside', type: 'advanced', expression: 'process.env.HERALD_DATABASE_URL != ""' },
            ],
          },
        ],
      }),
    );
    const result = await runCli(['catalog', 'import', file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr.trim().split('\n').slice(1)).toEqual([
      `${file}: groups[0].filters[0].expression: filter "parens" of group "acme": expression is nested too deeply`,
      `${file}: groups[0].filters[1].expression: filter "sum" of group "acme": expression is nested too deeply`,
      `${file}: groups[0].filters[2].expression: filter "outside" of group "acme": unknown variable "process" (known: event, ID, Category, Description, Node, Source, Target, detectors, sourceIPs, targetIPs, sourcePorts, targetPorts, protocols, eventClass, targetClass, severity, targetSeverity)`,
    ]);
    expect(await counts()).toEqual(before);
  });

  it('imports the valid rest; a filter that only loops a lot is stored (its evaluation is bounded)', async () => {
    const file = write(
      'valid.yaml',
      YAML.stringify({
        settings: { fallback_emails: ['abuse@csirt.example'] },
        groups: [
          {
            ...validGroup,
            filters: [
              {
                name: 'loops',
                type: 'advanced',
                expression: `${ten}.all(a, ${ten}.all(b, ${ten}.all(c, ${ten}.all(d, ${ten}.all(e, ${ten}.all(f, true))))))`,
              },
              {
                name: 'grows',
                type: 'advanced',
                expression: 'Description.replace("", Description).size() > 0',
              },
            ],
          },
        ],
      }),
    );
    const result = await runCli(['catalog', 'import', file, '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ imported: true, groups: 1, filters: 2 });
    expect(await counts()).toEqual({ groups: 1, filters: 2, fallback: ['abuse@csirt.example'] });
  });
});
