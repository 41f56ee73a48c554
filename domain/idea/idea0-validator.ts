// The vendored IDEA0 JSON schema compiled once with Ajv. Addresses are checked by herald's own
// parser (formats idea-ip4/idea-ip6): what passes is exactly what the store can index as inet.
// The first problem becomes one message naming the field: `Source[0].IP4[1]: "1.2.3" is not …`.
import AjvModule, { type ErrorObject } from 'ajv';
import { ideaAddressToInets } from './network';
import idea0Schema from './schema/idea0.schema.json' with { type: 'json' };
import { shownValue as shown } from './shown-value';

// ajv is CommonJS: its class is the default export's `default` under some loaders.
const Ajv = (AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule;

const ajv = new Ajv({ allErrors: false, verbose: true, strict: true });
ajv.addFormat('idea-ip4', { type: 'string', validate: (text) => ideaAddressToInets(text, 4) !== null });
ajv.addFormat('idea-ip6', { type: 'string', validate: (text) => ideaAddressToInets(text, 6) !== null });
const validate = ajv.compile(idea0Schema);

/** JSON pointer (`/Source/0/IP4`) as herald writes paths (`Source[0].IP4`). */
function fieldOf(pointer: string, extra?: string): string {
  const keys = pointer.split('/').slice(1);
  if (extra !== undefined) keys.push(extra);
  let out = '';
  for (const raw of keys) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(key)) out += `[${key}]`;
    else out += out ? `.${key}` : key;
  }
  return out;
}

/** Which definition of the schema a keyword belongs to: `#/definitions/Tag/pattern` → Tag. */
const definitionOf = (schemaPath: string) => /#\/definitions\/([^/]+)\//.exec(schemaPath)?.[1];

const patternHints: Record<string, string> = {
  Timestamp: 'is not an RFC 3339 timestamp (expected e.g. 2024-05-01T12:00:00Z)',
  ID: 'is not an IDEA ID (letters, digits, ".", "-" and "_" only)',
  Tag: 'is not an IDEA tag (letters, digits, ".", "-" and "_" only)',
  Handle: 'is not an IDEA handle (letters, digits and "_", not starting with a digit)',
  Duration: 'is not an IDEA duration (expected e.g. 00:05:00 or 1d00:00:00)',
  MAC: 'is not a MAC address (expected e.g. 00:1a:2b:3c:4d:5e)',
  MediaType: 'is not a media type (expected e.g. text/plain)',
  Charset: 'is not a character set name',
};

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const data = error.data;
  switch (error.keyword) {
    case 'required':
      return `${fieldOf(error.instancePath, String(params.missingProperty))}: is required`;
    case 'type':
      return `expected ${String(params.type)}, got ${shown(data)}`;
    case 'enum':
      return `${shown(data)} is not ${((params.allowedValues as unknown[]) ?? []).map((v) => shown(v)).join(' or ')}`;
    case 'pattern': {
      const definition = definitionOf(error.schemaPath);
      return `${shown(data)} ${(definition && patternHints[definition]) ?? `does not match ${String(params.pattern)}`}`;
    }
    case 'format':
      return `${shown(data)} is not an IPv${params.format === 'idea-ip6' ? 6 : 4} address, network or range`;
    case 'minimum':
      return `${shown(data)} is less than ${String(params.limit)}`;
    case 'maximum':
      return `${shown(data)} is more than ${String(params.limit)}`;
    case 'minItems':
      return error.instancePath === '/Category' ? 'must list at least one category' : 'must not be empty';
    default:
      return error.message ?? `fails the IDEA0 schema (${error.keyword})`;
  }
}

/** The first way `value` fails the IDEA0 schema, as `field: reason`, or null when it passes. */
export function validateIdea0(value: unknown): string | null {
  if (validate(value)) return null;
  const error = validate.errors?.[0];
  if (!error) return 'fails the IDEA0 schema';
  const message = describe(error);
  if (error.keyword === 'required') return message;
  const field = fieldOf(error.instancePath);
  return field ? `${field}: ${message}` : message;
}
