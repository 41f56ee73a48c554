// Event classification by the catalog's event-class rules (CEL over the event). Classes are
// tried by priority (higher first, then name); the first matching source-based class gives
// EventClass/EventSeverity, the first matching target class TargetClass/TargetSeverity.
// A matching `disabled` class leaves the event unclassified (Mentat: never reported);
// a `shadow` class sets the shadow-reporting flag.
import { type CompiledExpression, compileExpression } from '../filters/compile';
import { filterContext } from '../filters/context';
import type { IdeaEvent, Severity } from './schema';

export interface EventClassDefinition {
  name: string;
  rule: string;
  severity: Severity;
  sourceBased: boolean;
  priority: number;
  state: 'enabled' | 'shadow' | 'disabled';
  /** Optional CEL expression giving the subclass(es), e.g. `string(targetPorts[0])`. */
  subclassing?: string | null;
}

export interface CompiledEventClass extends EventClassDefinition {
  compiled: CompiledExpression;
  compiledSubclassing: CompiledExpression | null;
}

export interface Classification {
  eventClass: string | null;
  eventSubclasses: string[];
  eventSeverity: Severity | null;
  shadow: boolean;
  targetClass: string | null;
  targetSubclasses: string[];
  targetSeverity: Severity | null;
  shadowTarget: boolean;
  /** Rules that failed at runtime on this event (skipped). */
  errors: string[];
}

/** Throws FilterCompileError naming the class. */
export function compileEventClasses(classes: readonly EventClassDefinition[]): CompiledEventClass[] {
  return [...classes]
    .sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name))
    .map((c) => ({
      ...c,
      compiled: compileExpression(`event class "${c.name}"`, c.rule),
      compiledSubclassing: c.subclassing?.trim()
        ? compileExpression(`subclassing of event class "${c.name}"`, c.subclassing)
        : null,
    }));
}

export function classifyEvent(event: IdeaEvent, classes: readonly CompiledEventClass[]): Classification {
  const out: Classification = {
    eventClass: null,
    eventSubclasses: [],
    eventSeverity: null,
    shadow: false,
    targetClass: null,
    targetSubclasses: [],
    targetSeverity: null,
    shadowTarget: false,
    errors: [],
  };
  if (classes.length === 0) return out;
  const context = filterContext(event);
  let sourceDone = false;
  let targetDone = false;
  for (const c of classes) {
    if (c.sourceBased ? sourceDone : targetDone) continue;
    const result = c.compiled.evaluate(context);
    if (!result.ok) {
      out.errors.push(`${c.compiled.owner}: ${result.error}`);
      continue;
    }
    if (!result.value) continue;
    let subclasses: string[] = [];
    if (c.compiledSubclassing && c.state !== 'disabled') {
      const sub = c.compiledSubclassing.strings(context);
      if (sub.ok) subclasses = sub.value;
      else out.errors.push(`${c.compiledSubclassing.owner}: ${sub.error}`);
    }
    if (c.sourceBased) {
      sourceDone = true;
      if (c.state === 'disabled') continue;
      out.eventClass = c.name;
      out.eventSubclasses = subclasses;
      out.eventSeverity = c.severity;
      out.shadow = c.state === 'shadow';
    } else {
      targetDone = true;
      if (c.state === 'disabled') continue;
      out.targetClass = c.name;
      out.targetSubclasses = subclasses;
      out.targetSeverity = c.severity;
      out.shadowTarget = c.state === 'shadow';
    }
    if (sourceDone && targetDone) break;
  }
  return out;
}
