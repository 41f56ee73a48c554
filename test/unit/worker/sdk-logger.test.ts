// The SDK's log lines reach pino at their own level, except the warning every activity-only
// Worker gets (the mail worker is one on purpose), which an operator should not be shown.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { sdkLoggerFor } from '../../../worker/logger';

function capture() {
  const lines: { level: number; msg: string; sdk?: boolean; taskQueue?: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

describe('the SDK logger', () => {
  it('passes SDK warnings on as warnings, with their metadata', async () => {
    const { logger, lines } = capture();
    sdkLoggerFor(logger).warn('Activity failed', { taskQueue: 'herald' });
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'Activity failed', sdk: true, taskQueue: 'herald' }),
    ]);
  });

  it("logs the activity-only worker's “No workflows registered” at debug, not as a warning", async () => {
    const { logger, lines } = capture();
    sdkLoggerFor(logger).warn('No workflows registered, not polling for workflow tasks', {
      taskQueue: 'herald-mail',
    });
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([expect.objectContaining({ level: 20, taskQueue: 'herald-mail' })]);
  });
});
