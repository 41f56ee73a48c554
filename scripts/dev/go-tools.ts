// Go programs the local stack and CI run (Mailpit, the Temporal server and its SQL tool, herald's
// compose checker), built once from the Go module proxy into the cache outside the checkout, so
// every clone and CI run on a machine reuses them.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { heraldCache, repoRoot } from '../../config/paths';

export class GoToolMissing extends Error {
  override name = 'GoToolMissing';
}

export interface GoTool {
  /** File name in the cache; carries the version, so a new version is built beside the old one. */
  binary: string;
  /** What it is, for progress lines and errors. */
  title: string;
  /** A package at a version to `go install` (`module/cmd/x@v1.2.3`), or a directory of this repo to `go build`. */
  source: { install: string } | { buildDir: string };
  /** How to get it without Go, for the error when Go is missing. */
  withoutGo: string;
}

export const MAILPIT: GoTool = {
  binary: 'mailpit-v1.33.1',
  title: 'Mailpit v1.33.1',
  source: { install: 'github.com/axllent/mailpit@v1.33.1' },
  withoutGo: 'install Mailpit from its releases and set HERALD_SMTP_URL, or run `docker compose up mailpit`',
};

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

export const TEMPORAL_SERVER: GoTool = {
  binary: `temporal-server-${TEMPORAL_SERVER_VERSION}`,
  title: `Temporal server ${TEMPORAL_SERVER_VERSION}`,
  source: { install: `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}` },
  withoutGo: 'install Go >= 1.24',
};

export const TEMPORAL_SQL_TOOL: GoTool = {
  binary: `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`,
  title: `Temporal SQL tool ${TEMPORAL_SERVER_VERSION}`,
  source: { install: `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}` },
  withoutGo: 'install Go >= 1.24',
};

/** herald's own checker of compose files (tools/compose-check): named by its sources' hash, rebuilt when they change. */
export function composeCheckTool(): GoTool {
  const dir = path.join(repoRoot, 'tools', 'compose-check');
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(path.join(dir, file)));
  return {
    binary: `compose-check-${hash.digest('hex').slice(0, 12)}`,
    title: 'the compose file checker (compose-go)',
    source: { buildDir: dir },
    withoutGo: 'install Go >= 1.24',
  };
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

export const cacheBinDir = () => path.join(heraldCache(), 'bin');
export const cachedToolPath = (tool: Pick<GoTool, 'binary'>) => path.join(cacheBinDir(), tool.binary);

/**
 * The tool's path in the cache, built first when missing. Parallel callers (test files, `dev up`,
 * CI steps) wait for one build: a lock directory per tool, taken over when older than 30 minutes
 * (its build died).
 */
export async function ensureGoTool(
  tool: GoTool,
  log: (line: string) => void = console.error,
): Promise<string> {
  const target = cachedToolPath(tool);
  if (isExecutable(target)) return target;
  const go = onPath('go');
  if (!go)
    throw new GoToolMissing(
      `${tool.title} is not built yet and Go is not installed to build it: ${tool.withoutGo}`,
    );
  mkdirSync(cacheBinDir(), { recursive: true });
  const lock = path.join(cacheBinDir(), `.building-${tool.binary}`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (isExecutable(target)) return target;
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 30 * 60_000)
        rmSync(lock, { recursive: true, force: true });
      await sleep(2000);
    }
  }
  try {
    if (isExecutable(target)) return target;
    log(`Building ${tool.title} with Go into ${cacheBinDir()} (first time only; this takes minutes)…`);
    await buildWithGo(go, tool, target, log);
    log(`${tool.title} ready: ${target}`);
    return target;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds into a scratch directory and renames into place: a reader never sees half a binary. */
async function buildWithGo(go: string, tool: GoTool, target: string, log: (line: string) => void) {
  const scratch = mkdtempSync(path.join(cacheBinDir(), `.scratch-${tool.binary}-`));
  try {
    const env = { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };
    const produced = path.join(scratch, 'tool');
    if ('install' in tool.source) {
      await runGo(
        go,
        ['install', '-v', tool.source.install],
        { ...env, GOBIN: scratch },
        undefined,
        tool,
        log,
      );
      // go install names the binary after the package's last path element.
      renameSync(path.join(scratch, path.basename(tool.source.install.split('@')[0]!)), produced);
    } else {
      await runGo(go, ['build', '-v', '-o', produced, '.'], env, tool.source.buildDir, tool, log);
    }
    if (!isExecutable(produced))
      throw new GoToolMissing(`building ${tool.title} finished but ${produced} is missing`);
    renameSync(produced, target);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function runGo(
  go: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string | undefined,
  tool: GoTool,
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let packages = 0;
    let tail = '';
    let lastReport = Date.now();
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      packages += text.split('\n').filter((line) => line && !line.startsWith('go: downloading')).length;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        log(`  … still building ${tool.title} (${packages} packages compiled)`);
      }
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new GoToolMissing(`building ${tool.title} failed (go ${args[0]} exit ${code}):\n${tail}`));
    });
  });
}
