// The tailer's fast path for combined log lines: reads the fields straight from the bytes of the
// read buffer, with no string per line. It takes the usual shape only
//   [vhost ]client ident user [dd/Mon/yyyy:HH:MM:SS +hhmm] "METHOD /path... PROTO" status bytes ...
// with a path target and an ASCII request without backslashes, and declines everything else
// (false), which then goes to the string parser (parse-combined.ts) for its result or its error.
// Whenever it accepts a line it gives what parseCombinedLine gives for that line
// (test/unit/access-log/parse-combined-bytes.test.ts checks the two against each other).
import { FNV_OFFSET, fnvStep } from './key-table';
import { parseClfTimestamp } from './parse-combined';
import { isClientChar, MAX_CLIENT_LENGTH } from './parsed-line';
import { MAX_SECTION_LENGTH } from './section';

/** What the fast path read from a line: numbers, and the client and section as spans with hashes. */
export interface LineFields {
  time: number;
  status: number;
  bytes: number;
  clientFrom: number;
  clientTo: number;
  clientHash: number;
  /** sectionFrom < 0: the request has no section (`"-"`, no target). */
  sectionFrom: number;
  sectionTo: number;
  sectionHash: number;
}

export const newLineFields = (): LineFields => ({
  time: 0,
  status: 0,
  bytes: 0,
  clientFrom: 0,
  clientTo: 0,
  clientHash: 0,
  sectionFrom: -1,
  sectionTo: -1,
  sectionHash: 0,
});

const CLIENT_CHARS = new Uint8Array(256);
for (let c = 0; c < 128; c++) CLIENT_CHARS[c] = isClientChar(c) ? 1 : 0;

const SPACE = 32;
const QUOTE = 34;
const BRACKET = 91;
const TIMESTAMP_LENGTH = 26; // dd/Mon/yyyy:HH:MM:SS +hhmm

// The epoch second of a timestamp's minute, per UTC offset seen recently: consecutive lines mostly
// share `dd/Mon/yyyy:HH:MM` and the offset, so most lines cost a few 32-bit compares (through a
// DataView of the buffer) and the seconds. A cached timestamp is kept as the 32-bit words at its
// byte offsets 0, 4, 8, 12, 13 (bytes 0-16: the minute) and 22, and the 16 bits at 20 (the offset).
const CACHED_ZONES = 4;
const WORDS = 7;
const cachedWords = new Int32Array(CACHED_ZONES * WORDS);
const cachedMinuteEpochs = new Float64Array(CACHED_ZONES);
let cachedCount = 0;
let nextSlot = 0;
let viewBytes: Uint8Array | null = null;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

function wordsAt(v: DataView, at: number, out: Int32Array, base: number): void {
  out[base] = v.getInt32(at, true);
  out[base + 1] = v.getInt32(at + 4, true);
  out[base + 2] = v.getInt32(at + 8, true);
  out[base + 3] = v.getInt32(at + 12, true);
  out[base + 4] = v.getInt32(at + 13, true);
  out[base + 5] = v.getInt32(at + 22, true);
  out[base + 6] = v.getUint16(at + 20, true);
}

/** Epoch seconds of the 26-byte timestamp at `from`, NaN if it is not one. */
function timestampAt(bytes: Uint8Array, from: number): number {
  if (bytes !== viewBytes) {
    viewBytes = bytes;
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const v = view;
  const tens = bytes[from + 18]! - 48;
  const ones = bytes[from + 19]! - 48;
  if (bytes[from + 17] === 58 /* : */ && tens >= 0 && tens <= 6 && ones >= 0 && ones <= 9) {
    const second = tens * 10 + ones;
    if (second <= 60) {
      const zone = v.getInt32(from + 22, true);
      const zoneHead = v.getUint16(from + 20, true);
      for (let slot = 0; slot < cachedCount; slot++) {
        const w = slot * WORDS;
        if (
          cachedWords[w + 5] === zone &&
          cachedWords[w + 6] === zoneHead &&
          cachedWords[w + 4] === v.getInt32(from + 13, true) &&
          cachedWords[w + 3] === v.getInt32(from + 12, true) &&
          cachedWords[w + 2] === v.getInt32(from + 8, true) &&
          cachedWords[w + 1] === v.getInt32(from + 4, true) &&
          cachedWords[w] === v.getInt32(from, true)
        )
          return cachedMinuteEpochs[slot]! + second;
      }
    }
  }
  // A new minute or offset: the string parser validates it once, then it is cached.
  const text = String.fromCharCode.apply(
    null,
    bytes.subarray(from, from + TIMESTAMP_LENGTH) as unknown as number[],
  );
  const time = parseClfTimestamp(text, 0, TIMESTAMP_LENGTH);
  if (Number.isNaN(time)) return time;
  const zone = v.getInt32(from + 22, true);
  const zoneHead = v.getUint16(from + 20, true);
  let slot = -1;
  for (let s = 0; s < cachedCount; s++)
    if (cachedWords[s * WORDS + 5] === zone && cachedWords[s * WORDS + 6] === zoneHead) slot = s;
  if (slot < 0) {
    slot = nextSlot;
    nextSlot = (nextSlot + 1) % CACHED_ZONES;
    if (cachedCount < CACHED_ZONES) cachedCount++;
  }
  wordsAt(v, from, cachedWords, slot * WORDS);
  cachedMinuteEpochs[slot] = time - ((bytes[from + 18]! - 48) * 10 + (bytes[from + 19]! - 48));
  return time;
}

/** Index of the first space in [from, to), or `to`. */
function spaceFrom(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to && bytes[i] !== SPACE) i++;
  return i;
}

/** Reads the line `bytes[from, to)` (no newline) into `out`; false: not the usual shape. */
export function parseCombinedBytes(bytes: Uint8Array, from: number, to: number, out: LineFields): boolean {
  // client ident user [ or vhost client ident user [: the first ` [` ends them.
  const s1 = spaceFrom(bytes, from, to);
  if (s1 + 1 >= to || bytes[s1 + 1] === BRACKET) return false;
  const s2 = spaceFrom(bytes, s1 + 1, to);
  if (s2 + 1 >= to || bytes[s2 + 1] === BRACKET) return false;
  const s3 = spaceFrom(bytes, s2 + 1, to);
  if (s3 + 1 >= to) return false;
  let open = s3;
  let clientFrom = from;
  let clientTo = s1;
  if (bytes[s3 + 1] !== BRACKET) {
    open = spaceFrom(bytes, s3 + 1, to);
    if (open + 1 >= to || bytes[open + 1] !== BRACKET) return false;
    clientFrom = s1 + 1;
    clientTo = s2;
  }
  if (clientTo <= clientFrom || clientTo - clientFrom > MAX_CLIENT_LENGTH) return false;
  let hash = FNV_OFFSET;
  for (let i = clientFrom; i < clientTo; i++) {
    const c = bytes[i]!;
    if (CLIENT_CHARS[c] === 0) return false;
    hash = fnvStep(hash, c);
  }

  const stamp = open + 2;
  const close = stamp + TIMESTAMP_LENGTH;
  if (close + 2 >= to || bytes[close] !== 93 /* ] */) return false;
  const time = timestampAt(bytes, stamp);
  if (Number.isNaN(time)) return false;
  if (bytes[close + 1] !== SPACE || bytes[close + 2] !== QUOTE) return false;

  // The request, up to its closing quote: METHOD SP target SP protocol. Its section is the target's
  // path up to the second `/`, `?` or `#`, at most MAX_SECTION_LENGTH characters.
  const requestFrom = close + 3;
  let i = requestFrom;
  let c = 0;
  for (; i < to; i++) {
    c = bytes[i]!;
    if (c === SPACE || c === QUOTE) break;
    if (c === 92 /* \ */ || c >= 128) return false;
  }
  if (i >= to) return false;
  let sectionFrom = -1;
  let sectionTo = -1;
  let sectionHash = FNV_OFFSET;
  if (c === SPACE) {
    i++;
    if (i < to && bytes[i] === 47 /* / */) {
      sectionFrom = i;
      sectionHash = fnvStep(sectionHash, 47);
      const limit = Math.min(to, i + MAX_SECTION_LENGTH);
      for (i++; i < limit; i++) {
        c = bytes[i]!;
        if (c === 47 || c === 63 /* ? */ || c === 35 /* # */ || c === SPACE || c === QUOTE) break;
        if (c === 92 || c >= 128) return false;
        sectionHash = fnvStep(sectionHash, c);
      }
      sectionTo = i;
    } else if (i < to && bytes[i] !== SPACE && bytes[i] !== QUOTE) return false; // not a path
    for (; i < to; i++) {
      c = bytes[i]!;
      if (c === QUOTE) break;
      if (c === 92 || c >= 128) return false;
    }
    if (i >= to) return false;
  }
  // i: the closing quote. Then ` status bytes`, bytes `-` for none.
  if (i + 5 > to || bytes[i + 1] !== SPACE) return false;
  const d1 = bytes[i + 2]! - 48;
  const d2 = bytes[i + 3]! - 48;
  const d3 = bytes[i + 4]! - 48;
  if (d1 < 1 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9) return false;
  if (i + 5 >= to || bytes[i + 5] !== SPACE) return false;
  const bytesFrom = i + 6;
  const bytesTo = spaceFrom(bytes, bytesFrom, to);
  let size = 0;
  if (bytesTo - bytesFrom === 1 && bytes[bytesFrom] === 45 /* - */) size = 0;
  else {
    if (bytesTo === bytesFrom || bytesTo - bytesFrom > 15) return false;
    for (let k = bytesFrom; k < bytesTo; k++) {
      const d = bytes[k]! - 48;
      if (d < 0 || d > 9) return false;
      size = size * 10 + d;
    }
  }
  out.time = time;
  out.status = d1 * 100 + d2 * 10 + d3;
  out.bytes = size;
  out.clientFrom = clientFrom;
  out.clientTo = clientTo;
  out.clientHash = hash;
  out.sectionFrom = sectionFrom;
  out.sectionTo = sectionTo;
  out.sectionHash = sectionHash;
  return true;
}
