// Hostile input: filter expressions that try to loop, blow up strings or reach outside
// the event. CEL has no loops or I/O; what is left (nested macros, growing strings, deep nesting)
// is either a compile error naming the filter or an evaluation error within a bounded cost, and
// the filter is then skipped — never a hang, a crash or a thrown exception.
import { describe, expect, it } from 'vitest';
import { compileExpression, FilterCompileError } from '../../../domain/filters/compile';
import { filterContext } from '../../../domain/filters/context';
import { MAX_EVALUATION_STEPS } from '../../../domain/filters/evaluation-budget';
import { compileFilter, type FilterRuntimeError, firstMatchingFilter } from '../../../domain/filters/filter';
import type { IdeaEvent } from '../../../domain/idea/schema';

const event = (extra: Partial<IdeaEvent> = {}): IdeaEvent => ({
  Format: 'IDEA0',
  ID: 'hostile-1',
  DetectTime: '2026-11-22T10:00:00Z',
  Category: ['Recon.Scanning'],
  Source: [{ IP4: ['192.0.2.1'] }],
  ...extra,
});
const ten = '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]';
const evaluate = (source: string, e: IdeaEvent = event()) =>
  compileExpression('filter "hostile"', source).evaluate(filterContext(e));

function compileError(source: string): string {
  try {
    compileExpression('filter "hostile"', source);
  } catch (error) {
    expect(error).toBeInstanceOf(FilterCompileError);
    return (error as Error).message;
  }
  throw new Error(`${source.slice(0, 40)}… compiled`);
}

describe('hostile filter expressions', () => {
  it('stops nested macros (10^8 steps) at the step budget with an evaluation error', () => {
    const nested = `${ten}.all(a, ${ten}.all(b, ${ten}.all(c, ${ten}.all(d, ${ten}.all(e, ${ten}.all(f, ${ten}.all(g, ${ten}.all(h, true))))))))`;
    expect(evaluate(nested)).toEqual({
      ok: false,
      error: `evaluation exceeded ${MAX_EVALUATION_STEPS} steps (nested or huge macros)`,
    });
    // Within the budget the same shape evaluates normally.
    expect(evaluate(`${ten}.all(a, ${ten}.all(b, ${ten}.all(c, a + b + c >= 0)))`)).toEqual({
      ok: true,
      value: true,
    });
  });

  it('stops running an expression that hit the limits 3 times (a run over 10,000 IPs stays short)', () => {
    const nested = `${ten}.exists(a, ${ten}.exists(b, ${ten}.exists(c, ${ten}.exists(d, ${ten}.exists(e, ${ten}.exists(f, false))))))`;
    const compiled = compileExpression('filter "hostile"', nested);
    const context = filterContext(event());
    for (let i = 0; i < 3; i++)
      expect(compiled.evaluate(context)).toMatchObject({ ok: false, error: expect.stringMatching(/steps/) });
    expect(compiled.evaluate(context)).toEqual({
      ok: false,
      error: `not evaluated: exceeded the evaluation limits 3 times (evaluation exceeded ${MAX_EVALUATION_STEPS} steps (nested or huge macros))`,
    });
    // Other expressions are unaffected.
    expect(evaluate('"Recon.Scanning" in Category')).toEqual({ ok: true, value: true });
  });

  it('does not let `|| true` absorb an exhausted budget into a match', () => {
    const nested = `${ten}.exists(a, ${ten}.exists(b, ${ten}.exists(c, ${ten}.exists(d, ${ten}.exists(e, ${ten}.exists(f, false))))))`;
    expect(evaluate(`${nested} || true`)).toMatchObject({ ok: false, error: expect.stringMatching(/steps/) });
  });

  it('refuses a replace that would build a string of 10^14 characters, without building it', () => {
    const big = event({ Description: 'x'.repeat(10_000_000) });
    const before = process.memoryUsage().rss;
    expect(evaluate('Description.replace("", Description).size() > 0', big)).toEqual({
      ok: false,
      error: 'replace would build a string of 100000020000000 characters',
    });
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 2 ** 20);
  });

  it('replaces in linear time on a 1 MB description (the bundled replace was quadratic)', () => {
    const big = event({ Description: 'ab'.repeat(500_000) });
    expect(evaluate('Description.replace("a", "$&").size() == 1500000', big)).toEqual({
      ok: true,
      value: true,
    });
    expect(
      evaluate('"a-b-c".replace("-", "+", 1) == "a+b-c" && "abc".replace("", ".") == ".a.b.c."'),
    ).toEqual({
      ok: true,
      value: true,
    });
  });

  it('charges split elements to the budget (a 10 MB description split into characters)', () => {
    const big = event({ Description: 'y'.repeat(10_000_000) });
    expect(evaluate('Description.split("").map(c, c + c).size() > 0', big)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/steps/),
    });
    expect(evaluate('"a,b,c".split(",") == ["a", "b", "c"] && "a,b,c".split(",", 2) == ["a", "b"]')).toEqual({
      ok: true,
      value: true,
    });
  });

  it('stops linear work repeated in a macro at the evaluation deadline', () => {
    const big = event({ Description: 'z'.repeat(10_000_000) });
    const loop = `${ten}.all(a, ${ten}.all(b, ${ten}.all(c, !Description.lowerAscii().contains("needle"))))`;
    expect(evaluate(loop, big)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/took longer than/),
    });
  });

  it('rejects deeply nested expressions at compile time with a clear message, not a stack overflow', () => {
    expect(compileError(`${'('.repeat(10_000)}true${')'.repeat(10_000)}`)).toBe(
      'filter "hostile": expression is nested too deeply',
    );
    expect(compileError(`size(Description${' + Description'.repeat(20_000)}) > 0`)).toBe(
      'filter "hostile": expression is nested too deeply',
    );
    expect(compileError(`${'['.repeat(10_000)}${']'.repeat(10_000)} == []`)).toBe(
      'filter "hostile": expression is nested too deeply',
    );
  });

  it('cannot reach outside the event: no host objects, functions or prototype fields', () => {
    expect(compileError('process.env.HERALD_DATABASE_URL != ""')).toMatch(/unknown variable "process"/);
    expect(compileError('require("fs") == null')).toMatch(/unknown function "require"/);
    expect(compileError('globalThis == null')).toMatch(/unknown variable "globalThis"/);
    expect(evaluate('has(event.constructor) || has(event.__proto__)')).toEqual({ ok: true, value: false });
    expect(evaluate('event.constructor == null')).toEqual({
      ok: false,
      error: 'field not found: constructor',
    });
  });

  it('skips a hostile filter (reported through onError) and still applies the next one', () => {
    const nested = `${ten}.all(a, ${ten}.all(b, ${ten}.all(c, ${ten}.all(d, ${ten}.all(e, ${ten}.all(f, true))))))`;
    const filters = [
      compileFilter({ name: 'loop', group: 'g', enabled: true, sourceBased: true, expression: nested }),
      compileFilter({
        name: 'scanners',
        group: 'g',
        enabled: true,
        sourceBased: true,
        expression: '"Recon.Scanning" in Category',
      }),
    ];
    const errors: FilterRuntimeError[] = [];
    const hit = firstMatchingFilter(filters, filterContext(event()), {
      target: false,
      now: new Date(),
      onError: (e) => errors.push(e),
    });
    expect(hit?.name).toBe('scanners');
    expect(errors).toEqual([{ filter: 'loop', group: 'g', error: expect.stringMatching(/steps/) }]);
  });
});
