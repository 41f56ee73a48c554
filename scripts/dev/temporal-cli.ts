// Finds the `temporal` CLI (which carries the dev server), or builds it once from the Go module
// proxy into a cache outside the checkout so every clone and CI run reuses it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cachedToolPath, ensureGoTool, type GoTool, isExecutable, onPath } from './go-tools';

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

const TEMPORAL_CLI: GoTool = {
  binary: 'temporal',
  title: `the Temporal CLI ${TEMPORAL_CLI_VERSION}`,
  source: { install: `${MODULE}@${TEMPORAL_CLI_VERSION}` },
  withoutGo: HOW_TO_INSTALL,
};

export function cachedCliPath(): string {
  return cachedToolPath(TEMPORAL_CLI);
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
  if (!onPath('go')) throw new TemporalCliMissing(HOW_TO_INSTALL);
  return ensureGoTool(TEMPORAL_CLI, log);
}

export function temporalCliVersion(cli: string): string {
  const result = spawnSync(cli, ['--version'], { encoding: 'utf8' });
  return result.stdout.trim();
}

export function hasCachedCli(): boolean {
  return existsSync(cachedCliPath());
}
