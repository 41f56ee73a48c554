// The fields the monitor uses from one log line. Parsers fill a caller-owned record so a hot loop
// allocates only the strings it keeps (client, section).

export interface ParsedLine {
  client: string;
  /** Log time, epoch seconds (UTC). */
  time: number;
  /** null for `"-"`, empty or unparsable request lines (still a hit). */
  section: string | null;
  status: number;
  bytes: number;
}

export const newParsedLine = (): ParsedLine => ({ client: '', time: 0, section: null, status: 0, bytes: 0 });

/** `ok`: the record holds the line; `skip`: not a hit (a CSV header); anything else: why it failed. */
export type ParseOutcome = 'ok' | 'skip' | ParseErrorReason;

export type ParseErrorReason =
  | 'empty line'
  | 'line too long'
  | 'bad client field'
  | 'missing [timestamp]'
  | 'bad timestamp'
  | 'missing "request"'
  | 'bad status'
  | 'bad bytes'
  | 'wrong number of fields';

/** Longest client field (a DNS name has at most 253 characters): longer is a malformed line. */
export const MAX_CLIENT_LENGTH = 255;

/** Characters allowed in a client field: IPv4, IPv6 (with zone), hostnames. */
export function isClientChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || // 0-9
    (c >= 65 && c <= 90) || // A-Z
    (c >= 97 && c <= 122) || // a-z
    c === 46 || // .
    c === 58 || // :
    c === 45 || // -
    c === 95 || // _
    c === 37 || // % (IPv6 zone)
    c === 91 || // [ (bracketed IPv6)
    c === 93 // ]
  );
}

/** Parses an unsigned decimal integer in [start, end); -1 if not all digits or empty. */
export function parseDigits(text: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** The bytes field in [start, end): `-` is 0; -1 if it is not a number. */
export function parseBytes(text: string, start: number, end: number): number {
  if (end - start === 1 && text.charCodeAt(start) === 45 /* - */) return 0;
  return parseDigits(text, start, end);
}
