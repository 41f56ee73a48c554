// Apache/nginx combined log lines in one pass over the string (no regex, no split):
//   [vhost ]client ident user [10/Oct/2000:13:55:36 -0700] "GET /a/b HTTP/1.0" 200 2326 ["referer" "agent" ...]
// Also common-log lines (no referer/agent), IPv6 and hostname clients, `-` bytes, `"-"` or empty
// requests, escaped quotes inside the request and any UTC offset.
import {
  isClientChar,
  MAX_CLIENT_LENGTH,
  type ParsedLine,
  type ParseOutcome,
  parseBytes,
  parseDigits,
} from './parsed-line';
import { sectionOfRequest } from './section';

function monthIndex(text: string, i: number): number {
  // Case-insensitive three-letter month name → 0..11, -1 if unknown.
  const key =
    ((text.charCodeAt(i) | 32) << 16) | ((text.charCodeAt(i + 1) | 32) << 8) | (text.charCodeAt(i + 2) | 32);
  switch (key) {
    case 0x6a616e:
      return 0; // jan
    case 0x666562:
      return 1; // feb
    case 0x6d6172:
      return 2; // mar
    case 0x617072:
      return 3; // apr
    case 0x6d6179:
      return 4; // may
    case 0x6a756e:
      return 5; // jun
    case 0x6a756c:
      return 6; // jul
    case 0x617567:
      return 7; // aug
    case 0x736570:
      return 8; // sep
    case 0x6f6374:
      return 9; // oct
    case 0x6e6f76:
      return 10; // nov
    case 0x646563:
      return 11; // dec
    default:
      return -1;
  }
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil): integer math, no Date. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// Consecutive lines mostly share their minute, within each UTC offset a server logs with: per
// offset seen recently (a few kept), `dd/Mon/yyyy:HH:MM` of its last timestamp and the epoch second
// of that minute are reused (prefix compares instead of the field checks and the date math).
const CACHED_ZONES = 4;
const cachedZones: string[] = [];
const cachedMinutes: string[] = [];
const cachedMinuteEpochs: number[] = [];
let nextSlot = 0;

/** `dd/Mon/yyyy:HH:MM:SS +hhmm` in [start, end) → epoch seconds, NaN if malformed. */
export function parseClfTimestamp(text: string, start: number, end: number): number {
  if (end - start === 26) {
    const tens = text.charCodeAt(start + 18) - 48;
    const ones = text.charCodeAt(start + 19) - 48;
    const second = tens * 10 + ones;
    if (
      text.charCodeAt(start + 17) === 58 &&
      tens >= 0 &&
      tens <= 6 &&
      ones >= 0 &&
      ones <= 9 &&
      second <= 60
    )
      for (let i = 0; i < cachedZones.length; i++)
        if (text.startsWith(cachedZones[i]!, start + 20) && text.startsWith(cachedMinutes[i]!, start))
          return cachedMinuteEpochs[i]! + second;
  }
  const time = parseClfTimestampFields(text, start, end);
  if (!Number.isNaN(time) && end - start === 26) {
    const second = (text.charCodeAt(start + 18) - 48) * 10 + (text.charCodeAt(start + 19) - 48);
    const zone = text.slice(start + 20, end);
    let slot = cachedZones.indexOf(zone);
    if (slot < 0) {
      slot = nextSlot;
      nextSlot = (nextSlot + 1) % CACHED_ZONES;
    }
    cachedZones[slot] = zone;
    cachedMinutes[slot] = text.slice(start, start + 17);
    cachedMinuteEpochs[slot] = time - second;
  }
  return time;
}

function parseClfTimestampFields(text: string, start: number, end: number): number {
  let i = start;
  const slash1 = text.indexOf('/', i);
  if (slash1 < 0 || slash1 > i + 2) return Number.NaN;
  const day = parseDigits(text, i, slash1);
  const month = monthIndex(text, slash1 + 1);
  if (day < 1 || day > 31 || month < 0 || text.charCodeAt(slash1 + 4) !== 47) return Number.NaN;
  i = slash1 + 5;
  const year = parseDigits(text, i, i + 4);
  if (year < 0 || text.charCodeAt(i + 4) !== 58 /* : */) return Number.NaN;
  i += 5;
  const hour = parseDigits(text, i, i + 2);
  const minute = parseDigits(text, i + 3, i + 5);
  const second = parseDigits(text, i + 6, i + 8);
  if (
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 60 ||
    text.charCodeAt(i + 2) !== 58 ||
    text.charCodeAt(i + 5) !== 58
  )
    return Number.NaN;
  i += 8;
  let offset = 0;
  if (i < end) {
    if (text.charCodeAt(i) !== 32) return Number.NaN;
    const sign = text.charCodeAt(i + 1);
    const hh = parseDigits(text, i + 2, i + 4);
    const mm = parseDigits(text, i + 4, i + 6);
    if ((sign !== 43 && sign !== 45) || hh < 0 || hh > 23 || mm < 0 || mm > 59 || i + 6 !== end)
      return Number.NaN;
    offset = (sign === 45 ? -1 : 1) * (hh * 3600 + mm * 60);
  }
  return daysFromCivil(year, month + 1, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
}

/** Whether the quote at `quote` is escaped: an odd run of backslashes before it (after `from`). */
function escaped(text: string, from: number, quote: number): boolean {
  let n = 0;
  for (let i = quote - 1; i >= from && text.charCodeAt(i) === 92 /* \ */; i--) n++;
  return n % 2 === 1;
}

export function parseCombinedLine(text: string, out: ParsedLine): ParseOutcome {
  const length = text.length;
  if (length === 0) return 'empty line';
  const open = text.indexOf(' [');
  if (open < 0) return 'missing [timestamp]';
  // Fields before the timestamp: client ident user, or vhost client ident user (2 or 3 spaces
  // before ` [`; native indexOf instead of a loop over every character).
  const s1 = text.indexOf(' ');
  const s2 = s1 < open ? text.indexOf(' ', s1 + 1) : -1;
  const s3 = s2 >= 0 && s2 < open ? text.indexOf(' ', s2 + 1) : -1;
  const spaces = s3 === open ? 2 : s3 >= 0 && s3 < open && text.indexOf(' ', s3 + 1) === open ? 3 : 0;
  let clientStart: number;
  let clientEnd: number;
  if (spaces === 2) {
    clientStart = 0;
    clientEnd = s1;
  } else if (spaces === 3) {
    clientStart = s1 + 1;
    clientEnd = s2;
  } else return 'bad client field';
  if (clientEnd <= clientStart || clientEnd - clientStart > MAX_CLIENT_LENGTH) return 'bad client field';
  for (let i = clientStart; i < clientEnd; i++)
    if (!isClientChar(text.charCodeAt(i))) return 'bad client field';

  const close = text.indexOf(']', open + 2);
  if (close < 0) return 'missing [timestamp]';
  const time = parseClfTimestamp(text, open + 2, close);
  if (Number.isNaN(time)) return 'bad timestamp';

  // The request: a quoted string where \" and \\ are escapes.
  if (text.charCodeAt(close + 1) !== 32 || text.charCodeAt(close + 2) !== 34) return 'missing "request"';
  const requestStart = close + 3;
  let requestEnd = text.indexOf('"', requestStart);
  while (requestEnd > 0 && escaped(text, requestStart, requestEnd))
    requestEnd = text.indexOf('"', requestEnd + 1);
  if (requestEnd < 0) return 'missing "request"';

  // status and bytes
  let i = requestEnd + 1;
  if (text.charCodeAt(i) !== 32) return 'bad status';
  i++;
  const status = parseDigits(text, i, i + 3);
  if (status < 100 || (i + 3 < length && text.charCodeAt(i + 3) !== 32)) return 'bad status';
  i += 4;
  let bytesEnd = text.indexOf(' ', i);
  if (bytesEnd < 0) bytesEnd = length;
  const bytes = parseBytes(text, i, bytesEnd);
  if (bytes < 0) return 'bad bytes';

  out.client = text.slice(clientStart, clientEnd);
  out.time = time;
  out.section = sectionOfRequest(text, requestStart, requestEnd);
  out.status = status;
  out.bytes = bytes;
  return 'ok';
}
