// How the CLI fails: one line on stderr, exit 1 for failures and 2 for usage mistakes; the
// stack trace only with --debug. User mistakes are UserError; anything else is a bug or outage.
import { ConfigError } from '../config/env';
import { SearchAttributesMissing } from '../worker/search-attributes';

export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Turns well-known outages into one readable line. */
export function describeError(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { code?: string; address?: string; port?: number };
  if (error instanceof UserError || error instanceof ConfigError || error instanceof SearchAttributesMissing)
    return error.message;
  if (err?.code === 'ECONNREFUSED')
    return `cannot connect to ${err.address ?? ''}:${err.port ?? ''} (connection refused); is the stack up? (herald dev up)`;
  const message = err?.message ?? String(error);
  if (
    /Failed to connect before the deadline|tcp connect error|Connection refused|TransportError/i.test(message)
  ) {
    return `cannot reach the Temporal server (${process.env.TEMPORAL_ADDRESS ?? 'localhost:7233'}): ${message.split('\n')[0]}; is it running? (herald dev up)`;
  }
  return message.split('\n')[0] ?? 'unknown error';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UserError) return error.exitCode;
  return 1;
}
