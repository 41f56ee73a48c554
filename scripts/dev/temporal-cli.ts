// Finds the `temporal` CLI (which carries the dev server), or builds it once from the Go module
// proxy into a cache outside the checkout so every clone and CI run reuses it.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { heraldCache } from '../../config/paths';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = 'github.com/temporalio/cli/cmd/temporal';

export class TemporalCliMissing extends Error {
  override name = 'TemporalCliMissing';
}

const HOW_TO_INSTALL = [
  'The Temporal CLI (which runs the local Temporal dev server) was not found and Go is not installed to build it.',
  'Install it in one of these ways and run the command again: `brew install temporal` on macOS or Linux with Homebrew;',
  'download the archive for your platform from the official Temporal CLI releases (temporal.download), unpack it',
  'and put `temporal` on your PATH or point TEMPORAL_CLI_PATH at it; install Go >= 1.24 and let herald build it',
  `(\`go install ${MODULE}@${TEMPORAL_CLI_VERSION}\`); or, with Docker, run \`docker compose up\` and set`,
  'TEMPORAL_ADDRESS=localhost:7233 so herald uses that server instead.',
].join(' ');

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

export function cachedCliPath(): string {
  return path.join(heraldCache(), 'bin', 'temporal');
}

/** The CLI already present: TEMPORAL_CLI_PATH, then PATH, then the cache. */
export function findTemporalCli(): string | undefined {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit))
      throw new TemporalCliMissing(`TEMPORAL_CLI_PATH: ${explicit} is not an executable file`);
    return explicit;
  }
  return onPath('temporal') ?? (isExecutable(cachedCliPath()) ? cachedCliPath() : undefined);
}

/** Finds the CLI or builds it with `go install`; prints progress because the build takes minutes. */
export async function ensureTemporalCli(log: (line: string) => void = console.error): Promise<string> {
  const found = findTemporalCli();
  if (found) return found;
  const go = onPath('go');
  if (!go) throw new TemporalCliMissing(HOW_TO_INSTALL);

  // A lock directory keeps parallel callers (tests, dev up) from building twice.
  const binDir = path.dirname(cachedCliPath());
  mkdirSync(binDir, { recursive: true });
  const lock = path.join(binDir, '.building');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (isExecutable(cachedCliPath())) return cachedCliPath();
      // A lock older than 30 minutes belongs to a build that died.
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 30 * 60_000)
        rmSync(lock, { recursive: true, force: true });
      await sleep(2000);
    }
  }
  try {
    if (isExecutable(cachedCliPath())) return cachedCliPath();
    log(
      `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${binDir} (first time only; this takes several minutes)…`,
    );
    await buildWithGo(go, binDir, log);
    if (!isExecutable(cachedCliPath()))
      throw new TemporalCliMissing(`go install finished but ${cachedCliPath()} is missing`);
    log(`Temporal CLI ready: ${cachedCliPath()}`);
    return cachedCliPath();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function buildWithGo(go: string, binDir: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', '-v', `${MODULE}@${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOBIN: binDir, GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let packages = 0;
    let tail = '';
    let lastReport = Date.now();
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      packages += text.split('\n').filter((line) => line && !line.startsWith('go: downloading')).length;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        log(`  … still building the Temporal CLI (${packages} packages compiled)`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new TemporalCliMissing(`building the Temporal CLI failed (go install exit ${code}):\n${tail}`),
        );
    });
  });
}

export function temporalCliVersion(cli: string): string {
  const result = spawnSync(cli, ['--version'], { encoding: 'utf8' });
  return result.stdout.trim();
}

export function hasCachedCli(): boolean {
  return existsSync(cachedCliPath());
}
