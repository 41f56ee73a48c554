// Compiles CEL expressions (advanced filters, event-class rules) once and evaluates them per
// event. Compile errors name the expression's owner; evaluation never throws: an error is
// returned so the caller can log it and skip the filter. Evaluation cost is bounded
// (evaluation-budget.ts).
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { type FilterContext, filterVariables } from './context';
import {
  budgetFunctions,
  evaluationLimitHit,
  guardedStrings,
  MAX_LIMIT_HITS,
  STEP_FUNCTION,
  startEvaluation,
} from './evaluation-budget';
import { ipFunctions } from './ip-functions';

type Expr = ReturnType<typeof parse>['expr'];

const env = celEnv({ funcs: [...guardedStrings, ...ipFunctions, ...budgetFunctions] });

export class FilterCompileError extends Error {
  override name = 'FilterCompileError';
  constructor(
    readonly owner: string,
    readonly detail: string,
  ) {
    super(`${owner}: ${detail}`);
  }
}

export type EvalResult = { ok: true; value: boolean } | { ok: false; error: string };

export interface CompiledExpression {
  owner: string;
  source: string;
  /** The expression as a predicate (a non-bool result is an error). */
  evaluate(context: FilterContext): EvalResult;
  /** The expression's value as strings (a string, a number or a list of them), e.g. subclasses. */
  strings(context: FilterContext): { ok: true; value: string[] } | { ok: false; error: string };
}

const knownVariables = new Set<string>(filterVariables);

/** Unknown functions and variables are compile errors, not per-event runtime errors. */
function checkNames(expr: Expr | undefined, scope: Set<string>, problems: string[]): void {
  if (!expr) return;
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'identExpr':
      if (!scope.has(kind.value.name) && !knownVariables.has(kind.value.name))
        problems.push(`unknown variable "${kind.value.name}" (known: ${filterVariables.join(', ')})`);
      return;
    case 'selectExpr':
      checkNames(kind.value.operand, scope, problems);
      return;
    case 'callExpr': {
      const name = kind.value.function;
      // Operators (`_&&_`, `!_`, `@in`, `@not_strictly_false`, …) come only from the parser.
      const operator = /^[_@!-]/.test(name);
      if (!operator && !env.funcs.find(name)) problems.push(`unknown function "${name}"`);
      checkNames(kind.value.target, scope, problems);
      for (const arg of kind.value.args) checkNames(arg, scope, problems);
      return;
    }
    case 'listExpr':
      for (const element of kind.value.elements) checkNames(element, scope, problems);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') checkNames(entry.keyKind.value, scope, problems);
        checkNames(entry.value, scope, problems);
      }
      return;
    case 'comprehensionExpr': {
      const c = kind.value;
      checkNames(c.iterRange, scope, problems);
      const inner = new Set([...scope, c.iterVar, c.iterVar2, c.accuVar].filter(Boolean));
      checkNames(c.accuInit, inner, problems);
      checkNames(c.loopCondition, inner, problems);
      checkNames(c.loopStep, inner, problems);
      checkNames(c.result, inner, problems);
      return;
    }
    default:
      return;
  }
}

let stepIds = 0;

/** Wraps every comprehension's loop condition in the step counter (user code cannot name it). */
function meterComprehensions(expr: Expr | undefined): void {
  if (!expr) return;
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      meterComprehensions(kind.value.operand);
      return;
    case 'callExpr':
      meterComprehensions(kind.value.target);
      for (const arg of kind.value.args) meterComprehensions(arg);
      return;
    case 'listExpr':
      for (const element of kind.value.elements) meterComprehensions(element);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') meterComprehensions(entry.keyKind.value);
        meterComprehensions(entry.value);
      }
      return;
    case 'comprehensionExpr': {
      const c = kind.value;
      for (const part of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result])
        meterComprehensions(part);
      if (!c.loopCondition) return;
      const condition = c.loopCondition;
      c.loopCondition = {
        ...condition,
        // Ids only label errors; these stay clear of the parser's.
        id: BigInt(2 ** 40 + ++stepIds),
        exprKind: {
          case: 'callExpr',
          value: { $typeName: 'cel.expr.Expr.Call', function: STEP_FUNCTION, args: [condition] },
        },
      } as Expr;
      return;
    }
    default:
      return;
  }
}

const nestedTooDeeply = (error: unknown) =>
  error instanceof RangeError ? 'expression is nested too deeply' : null;

/** Throws FilterCompileError naming `owner` (e.g. `filter "no-scanners"`). */
export function compileExpression(owner: string, source: string): CompiledExpression {
  if (!source.trim()) throw new FilterCompileError(owner, 'expression is empty');
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    throw new FilterCompileError(
      owner,
      nestedTooDeeply(error) ?? (error as Error).message.replace(/^<input>:/, 'at '),
    );
  }
  let program: ReturnType<typeof plan>;
  try {
    const problems: string[] = [];
    checkNames(parsed.expr, new Set(), problems);
    if (problems.length) throw new FilterCompileError(owner, [...new Set(problems)].join('; '));
    meterComprehensions(parsed.expr);
    program = plan(env, parsed);
  } catch (error) {
    const deep = nestedTooDeeply(error);
    if (deep) throw new FilterCompileError(owner, deep);
    throw error;
  }
  // A filter that keeps hitting the limits would cost the full budget on every event of a run
  // (10,000 IPs × 100,000 steps): after a few hits it is skipped outright.
  let limitHits = 0;
  let lastLimit = '';
  const run = (context: FilterContext): { ok: true; value: unknown } | { ok: false; error: string } => {
    if (limitHits >= MAX_LIMIT_HITS)
      return {
        ok: false,
        error: `not evaluated: exceeded the evaluation limits ${MAX_LIMIT_HITS} times (${lastLimit})`,
      };
    startEvaluation();
    try {
      const value = program(context as unknown as Parameters<typeof program>[0]);
      // A limit hit inside `a || b` may be absorbed by CEL's error rules: it still fails.
      const limit = evaluationLimitHit();
      if (limit) {
        limitHits++;
        lastLimit = limit;
        return { ok: false, error: limit };
      }
      return isCelError(value) ? { ok: false, error: value.message } : { ok: true, value };
    } catch (error) {
      return { ok: false, error: nestedTooDeeply(error) ?? (error as Error).message };
    }
  };
  const scalar = (value: unknown) =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint'
      ? String(value)
      : null;
  return {
    owner,
    source,
    evaluate(context) {
      const result = run(context);
      if (!result.ok) return result;
      if (typeof result.value !== 'boolean')
        return { ok: false, error: `expression gave ${typeof result.value}, not a bool` };
      return { ok: true, value: result.value };
    },
    strings(context) {
      const result = run(context);
      if (!result.ok) return result;
      const single = scalar(result.value);
      if (single !== null) return { ok: true, value: [single] };
      if (result.value && typeof result.value === 'object' && Symbol.iterator in result.value) {
        const values = [...(result.value as Iterable<unknown>)].map(scalar);
        if (values.every((v) => v !== null)) return { ok: true, value: [...new Set(values as string[])] };
      }
      return { ok: false, error: 'expression gave neither a string nor a list of strings' };
    },
  };
}
