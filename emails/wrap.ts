// Plain-text mail lines at most TEXT_WIDTH columns (Mentat's `text_width = 90`), so the text part
// reads well in a terminal mail client. Continuation lines keep the paragraph's indent.
export const TEXT_WIDTH = 90;

/** Wraps one paragraph; `indent` starts every line, plus `hanging` on continuation lines. */
export function wrap(text: string, indent = '', hanging = '', width = TEXT_WIDTH): string[] {
  // A line that fits is kept as written (aligned columns stay aligned).
  if (indent.length + text.length <= width && !/[\r\n]/.test(text)) return [indent + text];
  const lines: string[] = [];
  const next = indent + hanging;
  const room = Math.max(10, width - next.length);
  let line = indent;
  let empty = true;
  const flush = () => {
    lines.push(line);
    line = next;
    empty = true;
  };
  for (let word of text.split(/\s+/).filter(Boolean)) {
    // A word longer than a whole line is cut; URLs stay whole (a broken link is worse).
    while (!/^https?:\/\//.test(word) && word.length > room) {
      if (!empty) flush();
      line += word.slice(0, room);
      word = word.slice(room);
      flush();
    }
    if (word === '') continue;
    if (!empty && line.length + 1 + word.length > width) flush();
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}
