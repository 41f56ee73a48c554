// A reporting filter ready to run: compiled once, checked for validity (enabled, valid_from/to)
// and pass (source or target), evaluated per (single-IP) event. A runtime error is reported to
// the caller's callback and the filter is skipped — it never aborts a run.
import { type CompiledExpression, compileExpression } from './compile';
import type { FilterContext } from './context';

export interface FilterDefinition {
  name: string;
  /** Owning group; null for a global filter. */
  group: string | null;
  enabled: boolean;
  sourceBased: boolean;
  expression: string;
  validFrom?: Date | null;
  validTo?: Date | null;
}

export interface CompiledFilter extends FilterDefinition {
  compiled: CompiledExpression;
}

export function filterOwner(def: Pick<FilterDefinition, 'name' | 'group'>): string {
  return def.group ? `filter "${def.name}" of group "${def.group}"` : `global filter "${def.name}"`;
}

/** Throws FilterCompileError naming the filter. */
export function compileFilter(def: FilterDefinition): CompiledFilter {
  return { ...def, compiled: compileExpression(filterOwner(def), def.expression) };
}

/** Enabled and inside its validity interval (Mentat's `is_valid`). */
export function isFilterActive(filter: FilterDefinition, now: Date): boolean {
  if (!filter.enabled) return false;
  if (filter.validFrom && filter.validFrom > now) return false;
  if (filter.validTo && filter.validTo < now) return false;
  return true;
}

export interface FilterRuntimeError {
  filter: string;
  group: string | null;
  error: string;
}

/**
 * The first active filter for this pass whose expression is true, or null. Filters that fail at
 * runtime are passed to `onError` and skipped.
 */
export function firstMatchingFilter(
  filters: readonly CompiledFilter[],
  context: FilterContext,
  options: { target: boolean; now: Date; onError?: (error: FilterRuntimeError) => void },
): CompiledFilter | null {
  for (const filter of filters) {
    if (filter.sourceBased === options.target || !isFilterActive(filter, options.now)) continue;
    const result = filter.compiled.evaluate(context);
    if (!result.ok) {
      options.onError?.({ filter: filter.name, group: filter.group, error: result.error });
      continue;
    }
    if (result.value) return filter;
  }
  return null;
}
