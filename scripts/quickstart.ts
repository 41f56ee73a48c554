// The quick start: the whole stack on embedded defaults, herald's main jobs on demo data, and a
// summary a person can check in the Temporal UI and in Mailpit.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { formatTable } from '../client/output';
import { heraldHome, repoRoot } from '../config/paths';
import { devUp, readDevEnv } from './dev/stack';

const say = (line: string) => process.stderr.write(`${line}\n`);
const heraldBin = path.join(repoRoot, 'bin', 'herald');

/** Runs a herald command against the local stack; returns its stdout (JSON when asked). */
function herald(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [heraldBin, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`herald ${args.join(' ')} failed (exit ${code})`)),
    );
  });
}

function generate(script: string, args: string[], out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, script), ...args, '--out', out],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${script} failed (exit ${code})`)),
    );
  });
}

async function main(): Promise<void> {
  say('herald quick start: bringing the local stack up…');
  const components = await devUp(process.env, { log: (line) => say(`  ${line}`) });
  const env = { ...process.env, ...readDevEnv() };
  for (const c of components) say(`  ${c.name.padEnd(9)} ${c.state}${c.url ? `  ${c.url}` : ''}`);

  const demoDir = path.join(heraldHome(), 'demo');
  mkdirSync(demoDir, { recursive: true });

  say('Loading the default event classes and the demo catalog…');
  await herald(['catalog', 'import', path.join(repoRoot, 'catalog', 'default-catalog.yaml'), '--json'], env);
  await herald(
    ['catalog', 'import', path.join(repoRoot, 'scripts', 'demo', 'demo-catalog.yaml'), '--json'],
    env,
  );

  say('Ingesting demo IDEA events…');
  const eventsFile = path.join(demoDir, 'events.ndjson');
  await generate('scripts/demo/generate-events.ts', ['--count', '400', '--seed', '42'], eventsFile);
  // Stored 5 minutes before the current 10-minute boundary, so this cycle's windows contain them.
  const tenMinutes = 600_000;
  const storageTime = new Date(Math.floor(Date.now() / tenMinutes) * tenMinutes - 5 * 60_000).toISOString();
  const ingest = JSON.parse(
    await herald(['events', 'ingest', eventsFile, '--storage-time', storageTime, '--json'], env),
  );

  say('Running one reporting cycle for every enabled group…');
  const run = JSON.parse(await herald(['run', '--wait', '--json'], env)) as {
    runs: { group: string; severities: Record<string, { result: string; reports: unknown[] }> }[];
  };

  say('Feeding the bundled access log to the monitor…');
  const source = 'demo-web';
  const log = path.join(repoRoot, 'test', 'fixtures', 'access-log', 'sample-access.log');
  await herald(['monitor', 'tail', log, '--source', source, '--from-start', '--until-eof', '--json'], env);
  const monitor = JSON.parse(await herald(['monitor', 'status', '--source', source, '--json'], env)) as {
    totals: { hits: number };
    alert: { active: boolean };
    alerts: unknown[];
  };

  // Mailpit's API: the messages it holds (dev up's mail page; an external SMTP server has none).
  const mails = env.HERALD_MAIL_UI_URL
    ? ((await fetch(`${env.HERALD_MAIL_UI_URL}/api/v1/messages`).then((r) => r.json())) as { total: number })
        .total
    : undefined;

  const rows = run.runs.map((r) => {
    const severities = Object.values(r.severities);
    return [
      r.group,
      severities.filter((s) => s.result === 'reported').length,
      severities.reduce((n, s) => n + s.reports.length, 0),
    ];
  });
  const reports = rows.reduce((n, row) => n + Number(row[2]), 0);
  process.stdout.write('\n');
  process.stdout.write(`${formatTable(['group', 'severities reported', 'reports'], rows)}\n\n`);
  process.stdout.write(
    `${formatTable(
      ['summary', 'value'],
      [
        ['groups', run.runs.length],
        [
          'events accepted / duplicates / rejected',
          `${ingest.accepted} / ${ingest.duplicates} / ${ingest.rejected}`,
        ],
        ['reports generated', reports],
        ['mails in Mailpit', mails ?? 'n/a (external SMTP)'],
        ['monitor hits', monitor.totals.hits],
        ['monitor state', monitor.alert.active ? 'ALERT' : 'ok'],
        ['monitor alert transitions', monitor.alerts.length],
      ],
    )}\n\n`,
  );
  process.stdout.write('Next: bin/herald --help, bin/herald dev status, bin/herald dev down\n');
  process.stdout.write(
    `Temporal UI:  ${env.TEMPORAL_UI_URL}/namespaces/${env.TEMPORAL_NAMESPACE ?? 'default'}/workflows\n`,
  );
  // Last: the page where the demo's mails are.
  if (env.HERALD_MAIL_UI_URL) process.stdout.write(`Mailpit:      ${env.HERALD_MAIL_UI_URL}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`quickstart: ${error.message}\n`);
  process.exit(1);
});
