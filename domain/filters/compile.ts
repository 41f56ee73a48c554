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
  /** The context variables it reads (`event`, `Category`, …): what a run must fetch for it. */
  variables: ReadonlySet<string>;
  /** The expression as a predicate (a non-bool result is an error). */
  evaluate(context: FilterContext): EvalResult;
  /** The expression's value as strings (a string, a number or a list of them), e.g. subclasses. */
  strings(context: FilterContext): { ok: true; value: string[] } | { ok: false; error: string };
}

const knownVariables = new Set<string>(filterVariables);

/**
 * Unknown functions and variables are compile errors, not per-event runtime errors. The context
 * variables the expression reads are added to `used`.
 */
function checkNames(expr: Expr | undefined, scope: Set<string>, problems: string[], used: Set<string>): void {
  if (!expr) return;
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'identExpr':
      if (scope.has(kind.value.name)) return;
      if (knownVariables.has(kind.value.name)) used.add(kind.value.name);
      else problems.push(`unknown variable "${kind.value.name}" (known: ${filterVariables.join(', ')})`);
      return;
    case 'selectExpr':
      checkNames(kind.value.operand, scope, problems, used);
      return;
    case 'callExpr': {
      const name = kind.value.function;
      // Operators (`_&&_`, `!_`, `@in`, `@not_strictly_false`, …) come only from the parser.
      const operator = /^[_@!-]/.test(name);
      if (!operator && !env.funcs.find(name)) problems.push(`unknown function "${name}"`);
      checkNames(kind.value.target, scope, problems, used);
      for (const arg of kind.value.args) checkNames(arg, scope, problems, used);
      return;
    }
    case 'listExpr':
      for (const element of kind.value.elements) checkNames(element, scope, problems, used);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') checkNames(entry.keyKind.value, scope, problems, used);
        checkNames(entry.value, scope, problems, used);
      }
      return;
    case 'comprehensionExpr': {
      const c = kind.value;
      checkNames(c.iterRange, scope, problems, used);
      const inner = new Set([...scope, c.iterVar, c.iterVar2, c.accuVar].filter(Boolean));
      checkNames(c.accuInit, inner, problems, used);
      checkNames(c.loopCondition, inner, problems, used);
      checkNames(c.loopStep, inner, problems, used);
      checkNames(c.result, inner, problems, used);
      return;
    }
    default:
      return;
  }
}

// Variables whose values repeat from event to event (a few categories, detectors, classes, ports):
// an expression reading only these gives the same value for the same values, so a run evaluates
// it once per combination instead of once per (event, IP): evaluated per hit, CEL takes a fifth
// of the classifying time of a 1M-event cycle. The IDs, texts, sections and IP lists are left out.
const REPEATING = new Set<string>([
  'Category',
  'detectors',
  'eventClass',
  'targetClass',
  'severity',
  'targetSeverity',
  'protocols',
  'sourcePorts',
  'targetPorts',
]);
const MEMO_ENTRIES = 4096;

// The key of a context for a set of variables, made once per context: classification tries every
// class on one context, and most classes read the same variables (Category).
const contextKeys = new WeakMap<FilterContext, Map<string, string>>();

function memoFor(used: ReadonlySet<string>) {
  if (![...used].every((name) => REPEATING.has(name))) return null;
  const names = [...used].sort() as (keyof FilterContext)[];
  const signature = names.join(',');
  const values = new Map<string, unknown>();
  return {
    values,
    keyOf(context: FilterContext) {
      let keys = contextKeys.get(context);
      if (!keys) {
        keys = new Map();
        contextKeys.set(context, keys);
      }
      let key = keys.get(signature);
      if (key === undefined) {
        key = JSON.stringify(names.map((name) => context[name]));
        keys.set(signature, key);
      }
      return key;
    },
    remember(key: string, value: unknown) {
      if (values.size >= MEMO_ENTRIES) values.clear(); // a run with unusually many combinations
      values.set(key, value);
    },
  };
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
  const used = new Set<string>();
  try {
    const problems: string[] = [];
    checkNames(parsed.expr, new Set(), problems, used);
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
  const memo = memoFor(used);
  const run = (context: FilterContext): { ok: true; value: unknown } | { ok: false; error: string } => {
    if (!memo || limitHits >= MAX_LIMIT_HITS) return evaluateOnce(context);
    const key = memo.keyOf(context);
    const known = memo.values.get(key);
    if (known !== undefined) return { ok: true, value: known };
    const result = evaluateOnce(context);
    if (result.ok && result.value !== undefined) memo.remember(key, result.value);
    return result;
  };
  const evaluateOnce = (
    context: FilterContext,
  ): { ok: true; value: unknown } | { ok: false; error: string } => {
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
    variables: used,
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
