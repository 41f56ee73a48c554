// No Docker engine runs where the tests run, so docker-compose.yml is validated structurally:
// it parses, every service has an image or a build, dependencies and volumes resolve, the
// long-running services have health checks, and every herald setting reaches herald's services.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema, parseEnvironment } from '../../../config/env';
import { repoRoot } from '../../../config/paths';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
  volumes?: string[];
  profiles?: string[];
}

const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has the whole stack: Temporal with PostgreSQL, its UI, herald PostgreSQL, mail, worker, tailer', () => {
    expect(services.temporal?.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services.temporal?.environment?.DB).toBe('postgres12');
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(services['herald-db']?.image).toMatch(/^postgres:\d+/);
    expect(services.mailpit?.image).toMatch(/^axllent\/mailpit/);
    expect(services['herald-worker']?.command).toEqual(['worker']);
    expect(services['herald-tailer']?.command?.slice(0, 2)).toEqual(['monitor', 'tail']);
  });

  it('gives every service an image or a build, and herald images a Dockerfile', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image ?? service.build, name).toBeTruthy();
      if (service.build) expect(existsSync(path.join(repoRoot, 'Dockerfile')), name).toBe(true);
    }
  });

  it('resolves every dependency and named volume', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        const condition = service.depends_on![dependency]!.condition;
        if (condition === 'service_healthy')
          expect(services[dependency]!.healthcheck, dependency).toBeDefined();
      }
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/') && !source.startsWith('$')) {
          expect(compose.volumes, `${name} volume ${source}`).toHaveProperty(source);
        }
      }
    }
  });

  it('health-checks every long-running service', () => {
    for (const name of ['temporal-db', 'temporal', 'temporal-ui', 'herald-db', 'mailpit', 'herald-worker']) {
      expect(services[name]?.healthcheck?.test, name).toBeTruthy();
    }
  });

  it('wires every herald setting into the worker, the tailer and the migration', () => {
    const settings = Object.keys(envSchema.shape);
    for (const name of ['herald-worker', 'herald-tailer', 'herald-migrate']) {
      const environment = services[name]?.environment ?? {};
      for (const variable of settings) expect(environment, `${name} ${variable}`).toHaveProperty(variable);
      // And with values herald accepts (compose's ${VAR:-default} resolved to its default).
      const resolved = Object.fromEntries(
        Object.entries(environment).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
      );
      // (as herald reads it: an empty value means unset)
      expect(() => parseEnvironment(resolved), name).not.toThrow();
    }
  });

  it("registers herald's search attributes with `herald temporal setup` before the worker polls", () => {
    const setup = services['herald-temporal-setup'];
    expect(setup?.command).toEqual(['temporal', 'setup']);
    expect(setup?.image).toBe(services['herald-worker']?.image);
    expect(setup?.depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
    expect(services['herald-worker']?.depends_on).toMatchObject({
      'herald-temporal-setup': { condition: 'service_completed_successfully' },
    });
  });
});
