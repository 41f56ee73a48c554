// Asking before doing something that sends mail: on a terminal a y/N question; elsewhere (scripts,
// CI) only --yes proceeds, so nothing is sent without an explicit decision.
import { createInterface } from 'node:readline/promises';
import { UsageError, UserError } from '../errors';

export async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY)
    throw new UsageError(
      'refusing to send without confirmation: stdin is not a terminal; add --yes to proceed',
    );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new UserError('cancelled; nothing was started');
  } finally {
    rl.close();
  }
}
