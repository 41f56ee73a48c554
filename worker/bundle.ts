// The workflow bundle: built once (`herald worker build-bundle`) and loaded in production, so
// a worker starts without webpack; in development the worker bundles workflows/index.ts itself.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { config } from '../config/env';
import { repoRoot } from '../config/paths';

export const workflowsEntry = path.join(repoRoot, 'workflows', 'index.ts');
export const defaultBundlePath = path.join(repoRoot, 'dist', 'workflow-bundle.js');

export async function buildWorkflowBundle(outFile = defaultBundlePath): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsEntry });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
  return outFile;
}

/** Worker options for workflows: the prebuilt bundle in production, the sources otherwise. */
export function workflowSource(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const env = config();
  const bundle =
    env.HERALD_WORKFLOW_BUNDLE ?? (env.NODE_ENV === 'production' ? defaultBundlePath : undefined);
  if (bundle) {
    if (!existsSync(bundle)) {
      throw new Error(
        `HERALD_WORKFLOW_BUNDLE: ${bundle} does not exist; build it with \`herald worker build-bundle\``,
      );
    }
    return { workflowBundle: { codePath: bundle } };
  }
  return { workflowsPath: workflowsEntry };
}
