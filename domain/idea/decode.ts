// One input record (an NDJSON line or an element of a JSON array) -> a validated IDEA event, or
// the reason it was rejected. U+0000 is stripped and recorded rather than rejected.
import { mayContainNul, stripNul } from './sanitize';
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
    return { ok: false, message: `not valid JSON: ${(error as Error).message}` };
  }
  return decodeEventValue(value, mayContainNul(text));
}

export function decodeEventValue(value: unknown, mayHaveNul = true): DecodedEvent {
  let repairs: string[] = [];
  if (mayHaveNul) {
    const clean = stripNul(value);
    value = clean.value;
    repairs = clean.repaired;
  }
  const parsed = parseIdeaEvent(value);
  if (parsed.ok) return { ok: true, event: parsed.event, repairs };
  const id = (value as { ID?: unknown } | null)?.ID;
  return { ok: false, ...(typeof id === 'string' && { id }), message: parsed.message };
}
