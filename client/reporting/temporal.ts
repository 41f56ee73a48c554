// A Temporal client for the reporting commands, from the environment (worker/connection.ts).
import { Client, Connection } from '@temporalio/client';
import { temporalConnectOptions } from '../../worker/connection';

export async function withTemporal<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const { connectionOptions, namespace } = temporalConnectOptions();
  const connection = await Connection.connect(connectionOptions);
  try {
    return await work(new Client({ connection, namespace }));
  } finally {
    await connection.close();
  }
}
