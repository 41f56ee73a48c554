// Structured logging with pino, shared by the worker process and the SDK's Runtime logger.
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import pino, { type Logger } from 'pino';
import { config } from '../config/env';

export function createLogger(name = 'herald'): Logger {
  return pino({ name, level: config().HERALD_LOG_LEVEL, base: { pid: process.pid } });
}

const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The SDK's warning for a Worker without workflows (worker/mail-worker.ts is one on purpose). */
const ACTIVITY_ONLY_WORKER = 'No workflows registered, not polling for workflow tasks';

/** The SDK's logger (core, worker and the replay-aware workflow logger) routed into pino. */
export function sdkLoggerFor(logger: Logger): DefaultLogger {
  const sdkLevel = (
    logger.level.toUpperCase() === 'FATAL' || logger.level === 'silent' ? 'ERROR' : logger.level.toUpperCase()
  ) as LogLevel;
  return new DefaultLogger(sdkLevel in pinoLevel ? sdkLevel : 'INFO', (entry: LogEntry) => {
    // The mail worker polls activities only, by design: not worth an operator's warning.
    const level = entry.message === ACTIVITY_ONLY_WORKER ? 'debug' : pinoLevel[entry.level];
    logger[level]({ ...entry.meta, sdk: true }, entry.message);
  });
}
