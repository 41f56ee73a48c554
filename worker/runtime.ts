// The SDK Runtime: one per process, installed before any connection, with pino logging and
// Prometheus metrics (HERALD_METRICS_PORT; 0 turns metrics off).
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { config } from '../config/env';
import { sdkLoggerFor } from './logger';

export function installRuntime(logger: Logger): { metricsUrl?: string } {
  const port = config().HERALD_METRICS_PORT;
  Runtime.install({
    logger: sdkLoggerFor(logger),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(port > 0 ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${port}` } } } : {}),
    },
  });
  return port > 0 ? { metricsUrl: `http://localhost:${port}/metrics` } : {};
}
