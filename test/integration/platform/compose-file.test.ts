// docker-compose.yml as Docker Compose reads it: loaded by the Compose specification's reference
// loader (compose-go, built once into the tool cache by scripts/dev/go-tools.ts), which validates
// it against the schema, resolves the anchors and interpolation and checks depends_on.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../config/paths';
import { composeCheckTool, ensureGoTool } from '../../../scripts/dev/go-tools';

let checker: string;
const scratch = mkdtempSync(path.join(tmpdir(), 'herald-compose-'));

beforeAll(async () => {
  checker = await ensureGoTool(composeCheckTool());
}, 900_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function check(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // An empty environment: the file's own defaults (${VAR:-default}) must be enough.
    const { stdout, stderr } = await promisify(execFile)(checker, [file], { env: {} });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('docker-compose.yml', () => {
  it('passes the Compose loader, with every service and dependency herald needs', async () => {
    const r = await check(path.join(repoRoot, 'docker-compose.yml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { services } = JSON.parse(r.stdout) as {
      services: Record<string, { image: string; dependsOn: string[] }>;
    };
    expect(Object.keys(services).sort()).toEqual([
      'herald-cli',
      'herald-db',
      'herald-migrate',
      'herald-tailer',
      'herald-temporal-setup',
      'herald-worker',
      'mailpit',
      'temporal',
      'temporal-db',
      'temporal-ui',
    ]);
    expect(services['herald-worker']!.dependsOn).toEqual([
      'herald-migrate',
      'herald-temporal-setup',
      'mailpit',
      'temporal',
    ]);
    // The same Mailpit as the local stack's (scripts/dev/go-tools.ts).
    expect(services.mailpit!.image).toBe('axllent/mailpit:v1.33.1');
  });

  it('a file the loader refuses fails the check with its reason', async () => {
    const broken = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8').replace(
      '      mailpit:\n        condition: service_healthy',
      '      mail-catcher:\n        condition: service_healthy',
    );
    expect(broken).toContain('mail-catcher');
    const file = path.join(scratch, 'docker-compose.yml');
    writeFileSync(file, broken);
    const r = await check(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mail-catcher/);
  });
});
