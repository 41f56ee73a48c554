/** A value as shown in a message: JSON, numbers as written (Infinity, not null), at most 60 characters. */
export function shownValue(input: unknown): string {
  const text = typeof input === 'number' ? String(input) : (JSON.stringify(input) ?? String(input));
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
