// A Temporal client for the operator commands: fails within a few seconds with one clear line when
// the server is unreachable (before anything is started, so nothing is left half done).
import { Client, Connection } from '@temporalio/client';
import { config } from '../../config/env';
import { temporalConnectOptions } from '../../worker/connection';
import { requireSearchAttributes } from '../../worker/search-attributes';
import { UserError } from '../errors';

export const CONNECT_TIMEOUT = '3 seconds';

export class TemporalUnreachableError extends UserError {
  constructor(detail: string) {
    super(
      `cannot reach the Temporal server at ${config().TEMPORAL_ADDRESS} (${detail}); is it running? (herald dev up)`,
    );
  }
}

export async function connectTemporal(): Promise<Connection> {
  const { connectionOptions } = temporalConnectOptions();
  try {
    return await Connection.connect({ ...connectionOptions, connectTimeout: CONNECT_TIMEOUT });
  } catch (error) {
    throw new TemporalUnreachableError((error as Error).message.split('\n')[0] ?? 'connection failed');
  }
}

export async function withOperatorClient<T>(
  work: (client: Client, connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await connectTemporal();
  try {
    return await work(new Client({ connection, namespace: config().TEMPORAL_NAMESPACE }), connection);
  } finally {
    await connection.close();
  }
}

/**
 * Before a command starts workflows: herald's search attributes are on the namespace, else one
 * line naming what is missing and `herald temporal setup` (instead of a refused start or a
 * workflow task failing on the worker).
 */
export function requireHeraldSearchAttributes(client: Client): Promise<void> {
  return requireSearchAttributes(client.connection.operatorService, client.options.namespace);
}
