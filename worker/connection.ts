// Connection settings from the environment via @temporalio/envconfig (TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS files, profiles), validated by config/env first.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { config } from '../config/env';

export function temporalConnectOptions() {
  const env = config();
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) vars[key] = value;
  // Defaults applied by config/env (e.g. localhost:7233) are made explicit for envconfig.
  vars.TEMPORAL_ADDRESS = env.TEMPORAL_ADDRESS;
  vars.TEMPORAL_NAMESPACE = env.TEMPORAL_NAMESPACE;
  const { connectionOptions } = loadClientConnectConfig({ overrideEnvVars: vars });
  return { connectionOptions, namespace: env.TEMPORAL_NAMESPACE };
}
