// Bounds what one CEL evaluation may cost. CEL has no loops or I/O, but its macros (`all`,
// `exists`, `map`, `filter`) nest, and a few string functions grow their input: a 10-level nest
// over a 10-element list or `Description.replace("", Description)` on a 10 MB description would
// run for hours or exhaust memory. Every comprehension step is charged to a per-evaluation budget
// (the compiler wraps each loop condition in `herald.step`), the string functions that build big
// values check the size first, and a wall-clock deadline catches linear work repeated in a loop
// (e.g. `contains` on a huge string inside a macro). Exceeding any of them is an evaluation error:
// the caller logs it and skips the filter, as for any other runtime error; a compiled expression
// that hit the limits MAX_LIMIT_HITS times is not run again (compile.ts).
import { CelScalar, celFunc, celList, celMethod, listType } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** Comprehension steps (plus split elements) one evaluation may take. */
export const MAX_EVALUATION_STEPS = 100_000;
/** Longest string (UTF-16 units) a string function may build. */
export const MAX_STRING_LENGTH = 16 * 2 ** 20;
/** Wall-clock limit of one evaluation. */
export const MAX_EVALUATION_MS = 2_000;
/** Evaluations of one compiled expression that may hit a limit before it is no longer run. */
export const MAX_LIMIT_HITS = 3;

export class EvaluationLimitError extends Error {
  override name = 'EvaluationLimitError';
}

// Evaluation is synchronous and never re-entrant, so one module-level meter is enough.
let steps = 0;
let deadline = Number.POSITIVE_INFINITY;
let exceeded: string | null = null;

/** Starts the meter for one evaluation. */
export function startEvaluation(): void {
  steps = 0;
  deadline = performance.now() + MAX_EVALUATION_MS;
  exceeded = null;
}

/** The limit hit during the evaluation (even if CEL's error absorption hid it), or null. */
export function evaluationLimitHit(): string | null {
  return exceeded;
}

function fail(message: string): never {
  exceeded ??= message;
  throw new EvaluationLimitError(message);
}

function charge(count: number): void {
  steps += count;
  if (exceeded) throw new EvaluationLimitError(exceeded);
  if (steps > MAX_EVALUATION_STEPS)
    fail(`evaluation exceeded ${MAX_EVALUATION_STEPS} steps (nested or huge macros)`);
  if (performance.now() > deadline) fail(`evaluation took longer than ${MAX_EVALUATION_MS} ms`);
}

function checkLength(length: number, what: string): void {
  if (length > MAX_STRING_LENGTH) fail(`${what} would build a string of ${length} characters`);
}

/** Occurrences of `substr` in `text` (an empty `substr` matches at every position), at most `max`. */
function occurrences(text: string, substr: string, max: number): number {
  if (substr === '') return Math.min(max, text.length + 1);
  let count = 0;
  for (let i = text.indexOf(substr); i >= 0 && count < max; i = text.indexOf(substr, i + substr.length))
    count++;
  return count;
}

// `replace` built on the native replaceAll (the bundled one rescans a growing string per match:
// quadratic), with Go's semantics as the CEL spec asks: a negative or missing count replaces all;
// an empty `substr` matches before every character and at the end.
function replace(this: string, substr: string, repl: string, num?: bigint): string {
  const max = num === undefined || num < 0n ? Number.POSITIVE_INFINITY : Number(num);
  const count = occurrences(this, substr, max);
  checkLength(this.length + count * (repl.length - substr.length), 'replace');
  charge(Math.floor(this.length / 1024));
  // `$` in a replacement string is a pattern in JS: escaped, so `repl` is taken literally.
  if (max === Number.POSITIVE_INFINITY) return this.replaceAll(substr, repl.replaceAll('$', '$$$$'));
  let done = 0;
  return this.replaceAll(substr, (match) => (done++ < count ? repl : match));
}

// `split` allocates one string per element: the element count is charged before splitting
// (same results as the bundled `split`).
function split(this: string, sep: string, num?: bigint) {
  const count = num === undefined ? undefined : Number(num);
  if (count === 1) return celList([this]);
  const max = count === undefined || count < 0 ? Number.POSITIVE_INFINITY : count;
  charge(Math.min(max, occurrences(this, sep, max) + 1));
  return celList(this.split(sep, count));
}

const { STRING, INT, DYN, BOOL } = CelScalar;

/** The strings extension with the size-checked `replace` and `split`. */
export const guardedStrings = [
  ...strings.filter((f) => f.name !== 'replace' && f.name !== 'split'),
  celMethod('replace', STRING, [STRING, STRING], STRING, function (this: string, a: string, b: string) {
    return replace.call(this, a, b);
  }),
  celMethod('replace', STRING, [STRING, STRING, INT], STRING, replace),
  celMethod('split', STRING, [STRING], listType(DYN), function (this: string, sep: string) {
    return split.call(this, sep);
  }),
  celMethod('split', STRING, [STRING, INT], listType(DYN), split),
];

/** Name of the step counter the compiler puts into every comprehension's loop condition. */
export const STEP_FUNCTION = 'herald.step';

export const budgetFunctions = [
  celFunc(STEP_FUNCTION, [BOOL], BOOL, (condition: boolean) => {
    charge(1);
    return condition;
  }),
];
