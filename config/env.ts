// The one place herald reads its environment. Every value is validated with zod at start-up;
// a wrong value stops start-up with one line naming the variable and what was expected.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { heraldHome } from './paths';

const urlWithProtocols = (protocols: string[], what: string) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected ${what}` },
  );

const port = z.coerce
  .number({ message: 'expected a port number' })
  .int('expected a port number')
  .min(0, 'expected a port number from 0 to 65535')
  .max(65535, 'expected a port number from 0 to 65535');

const emailAddress = z
  .string()
  .regex(/^[^\s@<>,;"\r\n]+@[^\s@<>,;"\r\n]+$/, 'expected an e-mail address such as herald@example.org');

const emailList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== ''),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[^\s@<>,;"\r\n]+@[^\s@<>,;"\r\n]+$/, 'expected e-mail addresses separated by commas'),
      )
      .min(1, 'expected e-mail addresses separated by commas'),
  );

export const envSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'expected host:port, e.g. localhost:7233')
    .default('localhost:7233'),
  TEMPORAL_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, 'expected a namespace name (letters, digits, . _ -)')
    .default('default'),
  TEMPORAL_UI_URL: urlWithProtocols(['http:', 'https:'], 'an http(s) URL').default('http://localhost:8233'),
  HERALD_DATABASE_URL: urlWithProtocols(
    ['postgres:', 'postgresql:'],
    'a PostgreSQL URL such as postgres://user@127.0.0.1:5432/herald',
  ).optional(),
  HERALD_SMTP_URL: urlWithProtocols(
    ['smtp:', 'smtps:'],
    'an SMTP URL such as smtp://127.0.0.1:1025',
  ).optional(),
  HERALD_MAIL_UI_URL: urlWithProtocols(['http:', 'https:'], 'an http(s) URL').optional(),
  HERALD_MAIL_FROM: emailAddress.default('herald@localhost'),
  // Mailer options (docs/mail.md): an archive copy of every real report, Reply-To, the envelope
  // sender, and the OpenPGP key that signs every mail (read once when a worker starts).
  HERALD_MAIL_BCC: emailList.optional(),
  HERALD_MAIL_REPLY_TO: emailAddress.optional(),
  HERALD_MAIL_RETURN_PATH: emailAddress.optional(),
  HERALD_MAIL_SIGNING_KEY_FILE: z.string().optional(),
  HERALD_MAIL_SIGNING_PASSPHRASE_FILE: z.string().optional(),
  HERALD_MAIL_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'expected a domain name for Message-IDs, e.g. csirt.example.org')
    .default('herald.local'),
  HERALD_TASK_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'expected a task queue name (letters, digits, . _ : -)')
    .default('herald'),
  HERALD_METRICS_PORT: port.default(9464),
  HERALD_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  HERALD_WORKFLOW_BUNDLE: z.string().optional(),
  // Worker capacity and health: caps keep one worker's memory predictable; past the memory
  // limit it shuts down gracefully and exits 3 so its supervisor restarts it.
  HERALD_WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number({ message: 'expected a whole number' })
    .int('expected a whole number')
    .min(0, 'expected a whole number ≥ 0')
    .default(500),
  HERALD_WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce
    .number({ message: 'expected a whole number' })
    .int('expected a whole number')
    .min(1, 'expected a whole number ≥ 1')
    .default(50),
  HERALD_WORKER_MEMORY_LIMIT_MB: z.coerce
    .number({ message: 'expected a number of MiB' })
    .int('expected a whole number of MiB')
    .min(0, 'expected a whole number of MiB (0 = no limit)')
    // Above the 1M-event cycle's peak (1.25 GiB in bench/), below what a 4 GiB host can spare.
    .default(2048),
  // Report mails per second over all workers (Temporal's per-task-queue limit on the mail queue);
  // unset = as fast as the send concurrency allows.
  HERALD_MAIL_RATE_PER_SECOND: z.coerce
    .number({ message: 'expected a number of mails per second' })
    .positive('expected a number of mails per second > 0')
    .optional(),
  NODE_ENV: z.string().optional(),
});

export type HeraldEnv = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * A value as it may be echoed in an error: the password of a URL (`scheme://user:password@`)
 * replaced by ***, also when the rest of the URL does not parse.
 */
export function withoutPassword(value: string): string {
  // Greedy up to the last @: a password may hold an unescaped @.
  return value.replace(/(\/\/[^/:@\s]*:)\S*@/g, '$1***@');
}

/** Validates an environment; throws ConfigError with one line per bad variable. */
export function parseEnvironment(env: NodeJS.ProcessEnv): HeraldEnv {
  // An empty variable means "not set": that is what shells and compose files produce.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const given = env[name];
    return `${name}: ${issue.message}${given === undefined ? '' : `, got ${JSON.stringify(withoutPassword(given))}`}`;
  });
  throw new ConfigError(lines.join('\n'));
}

/**
 * Reads `.herald/dev.env` (written by `herald dev up`) into process.env without overriding
 * anything the caller set, so every command finds the local stack after `dev up`.
 */
export function loadDevEnvFile(file = path.join(heraldHome(), 'dev.env')): void {
  if (!existsSync(file)) return;
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  for (const [key, value] of Object.entries(parsed)) {
    if (process.env[key] === undefined) process.env[key] = value;
  }
}

let cached: HeraldEnv | undefined;

/** The validated environment of this process (after loading dev.env). */
export function config(): HeraldEnv {
  if (!cached) {
    loadDevEnvFile();
    cached = parseEnvironment(process.env);
  }
  return cached;
}

/** For tests that change process.env between cases. */
export function resetConfigForTests(): void {
  cached = undefined;
}
