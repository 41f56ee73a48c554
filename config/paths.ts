// Where herald keeps local state: the checkout's `.herald/` unless HERALD_HOME says otherwise.
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in <root>/config). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function heraldHome(): string {
  return path.resolve(process.env.HERALD_HOME ?? path.join(repoRoot, '.herald'));
}

/** A cache outside the checkout, so a fresh clone reuses the Temporal CLI built once. */
export function heraldCache(): string {
  return path.resolve(
    process.env.HERALD_CACHE_DIR ??
      path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'herald'),
  );
}
