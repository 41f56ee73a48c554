// A Temporal client for the reporting commands, from the environment (worker/connection.ts). It
// connects as the operator commands do: an unreachable server fails within seconds in one line,
// before anything is started.
import { Client } from '@temporalio/client';
import { temporalConnectOptions } from '../../worker/connection';
import { connectTemporal } from '../operations/temporal';

export async function withTemporal<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const { namespace } = temporalConnectOptions();
  const connection = await connectTemporal();
  try {
    return await work(new Client({ connection, namespace }));
  } finally {
    await connection.close();
  }
}
