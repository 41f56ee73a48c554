// One Temporal namespace per test file on the run's shared server. Workflow ids are unique per
// namespace (report:<group>:<severity>:<window end> never runs twice), so two test files that use
// the same group and window must not share one. The global setup creates the namespaces at
// server start; each file claims a free one atomically (mkdir) the first time it asks.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { heraldHome } from '../../config/paths';
import './provided';

let claimed: string | undefined;

/**
 * Claims one more free namespace of the run's server, for a file that runs the same workflows
 * several times (the fault trials: one namespace per trial).
 */
export function claimNamespace(): string {
  const namespaces = inject('testNamespaces');
  if (namespaces.length === 0)
    throw new Error('a server given by TEMPORAL_ADDRESS has one namespace; this test needs several');
  const claims = path.join(heraldHome(), 'test', `namespace-claims-${inject('testRunId')}`);
  mkdirSync(claims, { recursive: true });
  for (const namespace of namespaces) {
    try {
      mkdirSync(path.join(claims, namespace));
      return namespace;
    } catch {
      // Claimed by another file.
    }
  }
  throw new Error(
    `all ${namespaces.length} test namespaces are taken; raise TEST_NAMESPACES in test/global-setup.ts`,
  );
}

export function fileNamespace(): string {
  if (claimed) return claimed;
  if (inject('testNamespaces').length === 0) {
    claimed = inject('temporalNamespace'); // a server given by TEMPORAL_ADDRESS: its one namespace
    return claimed;
  }
  claimed = claimNamespace();
  return claimed;
}
