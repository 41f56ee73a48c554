// Strings in code-point order (Python's sorted(), PostgreSQL's COLLATE "C"), not the locale's:
// what reports show must not change with the machine that renders them.
export const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
