import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnvironment } from '../../../config/env';

describe('environment validation', () => {
  it('applies the documented defaults to an empty environment', () => {
    const env = parseEnvironment({});
    expect(env.TEMPORAL_ADDRESS).toBe('localhost:7233');
    expect(env.TEMPORAL_NAMESPACE).toBe('default');
    expect(env.HERALD_TASK_QUEUE).toBe('herald');
    expect(env.HERALD_METRICS_PORT).toBe(9464);
    expect(env.HERALD_DATABASE_URL).toBeUndefined();
    expect(env.HERALD_MAIL_RATE_PER_SECOND).toBeUndefined();
  });

  it('accepts well-formed values', () => {
    const env = parseEnvironment({
      HERALD_SMTP_URL: 'smtps://user:pw@mail.example.org:465',
      HERALD_DATABASE_URL: 'postgres://herald@127.0.0.1:5432/herald',
      HERALD_METRICS_PORT: '0',
      TEMPORAL_ADDRESS: 'temporal.example.org:7233',
      HERALD_MAIL_RATE_PER_SECOND: '0.5',
      HERALD_MAIL_BCC: 'archive@csirt.example.org, tickets@csirt.example.org',
      HERALD_MAIL_REPLY_TO: 'csirt@csirt.example.org',
      HERALD_MAIL_RETURN_PATH: 'bounces@csirt.example.org',
    });
    expect(env.HERALD_MAIL_BCC).toEqual(['archive@csirt.example.org', 'tickets@csirt.example.org']);
    expect(env.HERALD_MAIL_RETURN_PATH).toBe('bounces@csirt.example.org');
    expect(env.HERALD_MAIL_RATE_PER_SECOND).toBe(0.5);
    expect(env.HERALD_SMTP_URL).toBe('smtps://user:pw@mail.example.org:465');
    expect(env.HERALD_METRICS_PORT).toBe(0);
  });

  it.each([
    ['HERALD_SMTP_URL', 'nonsense', 'expected an SMTP URL'],
    ['HERALD_DATABASE_URL', 'mysql://x@y/z', 'expected a PostgreSQL URL'],
    ['HERALD_METRICS_PORT', '70000', 'port number'],
    ['TEMPORAL_ADDRESS', 'localhost', 'expected host:port'],
    ['HERALD_MAIL_FROM', 'herald@x\r\nBcc: evil@example.org', 'expected an e-mail address'],
    ['HERALD_LOG_LEVEL', 'loud', 'HERALD_LOG_LEVEL'],
    ['HERALD_MAIL_RATE_PER_SECOND', '0', 'mails per second > 0'],
    ['HERALD_MAIL_RATE_PER_SECOND', 'fast', 'expected a number of mails per second'],
    [
      'HERALD_MAIL_BCC',
      'archive@csirt.example.org, tickets',
      'expected e-mail addresses separated by commas',
    ],
    ['HERALD_MAIL_BCC', ' , ', 'expected e-mail addresses separated by commas'],
    ['HERALD_MAIL_REPLY_TO', 'csirt', 'expected an e-mail address'],
    ['HERALD_MAIL_RETURN_PATH', 'a@b\r\nBcc: evil@example.org', 'expected an e-mail address'],
  ])('rejects %s=%j with one line naming the variable', (name, value, expected) => {
    let error: unknown;
    try {
      parseEnvironment({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message.startsWith(`${name}: `)).toBe(true);
    expect(message).toContain(expected);
  });

  it('reports every bad variable, one line each', () => {
    expect(() => parseEnvironment({ HERALD_SMTP_URL: 'x', HERALD_TASK_QUEUE: 'a b' })).toThrowError(
      /^HERALD_SMTP_URL: .*\nHERALD_TASK_QUEUE: .*$/,
    );
  });

  it('treats an empty variable as unset', () => {
    expect(parseEnvironment({ HERALD_SMTP_URL: '' }).HERALD_SMTP_URL).toBeUndefined();
  });
});
