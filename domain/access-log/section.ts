// A request's section: its path without query string, up to (not including) the second `/`.
// `/pages/create` → `/pages`, `/` → `/`, `/index.html?x=1` → `/index.html`.
// Cut to MAX_SECTION_LENGTH: sections are keys of the monitor's payloads and state, and a log
// line may carry a request path of any length.

export const MAX_SECTION_LENGTH = 128;

/** Section of `text.slice(start, end)` (a request target); null when it is not a path. */
export function sectionOfTarget(text: string, start: number, end: number): string | null {
  let from = start;
  if (text.charCodeAt(from) !== 47 /* / */) {
    // Absolute-form target (proxy requests): skip scheme and authority.
    const scheme = text.indexOf('://', from);
    if (scheme < 0 || scheme >= end) return end - from === 1 && text.charCodeAt(from) === 42 ? '*' : null;
    from = text.indexOf('/', scheme + 3);
    if (from < 0 || from >= end) return '/';
  }
  let i = from + 1;
  const stop = Math.min(end, from + MAX_SECTION_LENGTH);
  for (; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
  }
  return text.slice(from, i);
}

/** Section of the request line `text.slice(start, end)` (`GET /a/b HTTP/1.1` → `/a`). */
export function sectionOfRequest(text: string, start: number, end: number): string | null {
  // The request target: between the first and second space of the request line.
  const sp = text.indexOf(' ', start);
  if (sp <= 0 || sp >= end) return null;
  let targetEnd = text.indexOf(' ', sp + 1);
  if (targetEnd < 0 || targetEnd > end) targetEnd = end;
  return targetEnd > sp + 1 ? sectionOfTarget(text, sp + 1, targetEnd) : null;
}

export function sectionOf(path: string): string | null {
  return sectionOfTarget(path, 0, path.length);
}
