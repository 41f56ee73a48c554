// One input record (an NDJSON line or an element of a JSON array) -> a validated IDEA event, or
// the reason it was rejected. U+0000 is stripped and recorded rather than rejected.
import { MAX_EVENT_NESTING, tooDeeplyNested } from './nesting';
import { escapeControl, findLoneSurrogate, mayContainNul, mayContainSurrogate, stripNul } from './sanitize';
import { type IdeaEvent, parseIdeaEvent } from './schema';

export type DecodedEvent =
  | { ok: true; event: IdeaEvent; repairs: string[] }
  | { ok: false; id?: string; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes raw bytes; invalid UTF-8 is a rejection with its reason. */
export function decodeEventBytes(bytes: Uint8Array): DecodedEvent {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, message: 'not valid UTF-8' };
  }
  return decodeEventText(text);
}

export function decodeEventText(text: string): DecodedEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8 quotes the input in its message: keep it on one line and free of escape sequences.
    return { ok: false, message: `not valid JSON: ${escapeControl((error as Error).message)}` };
  }
  return decodeEventValue(value, mayContainNul(text), mayContainSurrogate(text));
}

export function decodeEventValue(value: unknown, mayHaveNul = true, mayHaveSurrogate = true): DecodedEvent {
  const id = (value as { ID?: unknown } | null)?.ID;
  const reject = (message: string): DecodedEvent => ({
    ok: false,
    ...(typeof id === 'string' && { id }),
    message,
  });
  const deep = tooDeeplyNested(value);
  if (deep !== null) return reject(`${deep}: nested deeper than ${MAX_EVENT_NESTING} levels`);
  const surrogate = mayHaveSurrogate ? findLoneSurrogate(value) : null;
  if (surrogate) return reject(`${surrogate.path}: contains a lone UTF-16 surrogate (${surrogate.unit})`);
  let repairs: string[] = [];
  if (mayHaveNul) {
    const clean = stripNul(value);
    value = clean.value;
    repairs = clean.repaired;
  }
  const parsed = parseIdeaEvent(value);
  if (parsed.ok) return { ok: true, event: parsed.event, repairs };
  return reject(parsed.message);
}
