import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedEnv, runCli } from '../../support/cli';

const home = mkdtempSync(path.join(tmpdir(), 'herald-cli-'));

describe('herald CLI start-up errors', () => {
  it('stops the worker on a bad HERALD_SMTP_URL with one line naming the variable', async () => {
    const result = await runCli(['worker'], isolatedEnv({ HERALD_HOME: home, HERALD_SMTP_URL: 'nonsense' }));
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      'herald: HERALD_SMTP_URL: expected an SMTP URL such as smtp://127.0.0.1:1025, got "nonsense"',
    );
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('says how to get a database when none is configured', async () => {
    const result = await runCli(['db', 'status'], isolatedEnv({ HERALD_HOME: home }));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^herald: HERALD_DATABASE_URL: not set .*herald dev up/);
  });

  it('exits 2 on a usage mistake', async () => {
    const result = await runCli(['db', 'migrate', '--no-such-option'], isolatedEnv({ HERALD_HOME: home }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-option'");
  });

  it('shows the stack trace of an error only with --debug', async () => {
    const env = isolatedEnv({ HERALD_HOME: home, HERALD_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    const plain = await runCli(['db', 'status'], env);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    const debug = await runCli(['--debug', 'db', 'status'], env);
    expect(debug.code).toBe(1);
    expect(debug.stderr.split('\n').length).toBeGreaterThan(2);
  });
});
