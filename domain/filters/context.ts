// The variables a CEL filter or event-class rule sees: the whole event plus short names for the
// fields filters use most. Missing IDEA fields are empty lists/strings so that expressions such
// as `Target.exists(t, …)` never fail on an event without targets.
import { type MentatMeta, readMentatMeta } from '../idea/mentat-meta';
import type { IdeaEvent, IdeaSourceOrTarget } from '../idea/schema';

export interface FilterContext {
  event: Record<string, unknown>;
  ID: string;
  Category: string[];
  Description: string;
  Node: unknown[];
  Source: unknown[];
  Target: unknown[];
  detectors: string[];
  sourceIPs: string[];
  targetIPs: string[];
  sourcePorts: number[];
  targetPorts: number[];
  protocols: string[];
  eventClass: string;
  targetClass: string;
  severity: string;
  targetSeverity: string;
}

/** Names of the CEL variables (used by the compiler to reject unknown identifiers). */
export const filterVariables = [
  'event',
  'ID',
  'Category',
  'Description',
  'Node',
  'Source',
  'Target',
  'detectors',
  'sourceIPs',
  'targetIPs',
  'sourcePorts',
  'targetPorts',
  'protocols',
  'eventClass',
  'targetClass',
  'severity',
  'targetSeverity',
] as const satisfies readonly (keyof FilterContext)[];

const ips = (items: IdeaSourceOrTarget[] | undefined) =>
  (items ?? []).flatMap((item) => [...(item.IP4 ?? []), ...(item.IP6 ?? [])]);
const ports = (items: IdeaSourceOrTarget[] | undefined) => (items ?? []).flatMap((item) => item.Port ?? []);

export interface ContextClassification {
  eventClass?: string | null;
  targetClass?: string | null;
  severity?: string | null;
  targetSeverity?: string | null;
}

/**
 * `ipView`, when given, is the event as the filter of one IP sees it (the reporting run's
 * single-IP copy): `event`, `Source`, `Target` and their IP lists come from it, the rest (which
 * the copy leaves as it is) from `event`.
 */
export function filterContext(
  event: IdeaEvent,
  classification: ContextClassification = {},
  ipView?: () => IdeaEvent,
): FilterContext {
  return new LazyFilterContext(event, ipView ?? (() => event), classification);
}

// Filters read few variables (a basic filter two or three), and the reporting run builds a context
// per (event, IP): each variable, and the single-IP copy, is made on first read and kept. The CEL
// runtime reads variables by property (ObjectActivation), so getters suffice.
class LazyFilterContext implements FilterContext {
  #view: IdeaEvent | undefined;
  #derived: Map<keyof FilterContext, unknown> | undefined;
  constructor(
    private readonly whole: IdeaEvent,
    private readonly makeView: () => IdeaEvent,
    private readonly classification: ContextClassification,
  ) {}
  private view(): IdeaEvent {
    this.#view ??= this.makeView();
    return this.#view;
  }
  private once<K extends keyof FilterContext>(name: K, make: () => FilterContext[K]): FilterContext[K] {
    this.#derived ??= new Map();
    if (this.#derived.has(name)) return this.#derived.get(name) as FilterContext[K];
    const value = make();
    this.#derived.set(name, value);
    return value;
  }
  #meta: MentatMeta | undefined;
  private meta(): MentatMeta {
    this.#meta ??= readMentatMeta(this.whole);
    return this.#meta;
  }
  get event() {
    return this.view() as Record<string, unknown>;
  }
  get ID() {
    return this.whole.ID;
  }
  get Category() {
    return this.whole.Category;
  }
  get Description() {
    return this.whole.Description ?? '';
  }
  get Node() {
    return this.whole.Node ?? [];
  }
  get Source() {
    return this.view().Source ?? [];
  }
  get Target() {
    return this.view().Target ?? [];
  }
  get detectors() {
    return this.once('detectors', () =>
      (this.whole.Node ?? []).flatMap((node) => (node.Name ? [node.Name] : [])),
    );
  }
  get sourceIPs() {
    return this.once('sourceIPs', () => ips(this.view().Source));
  }
  get targetIPs() {
    return this.once('targetIPs', () => ips(this.view().Target));
  }
  get sourcePorts() {
    return this.once('sourcePorts', () => ports(this.whole.Source));
  }
  get targetPorts() {
    return this.once('targetPorts', () => ports(this.whole.Target));
  }
  get protocols() {
    return this.once('protocols', () => {
      const e = this.whole;
      const found = new Set<string>();
      for (const item of [...(e.Source ?? []), ...(e.Target ?? [])])
        for (const proto of item.Proto ?? []) found.add(proto.toLowerCase());
      return [...found].sort();
    });
  }
  get eventClass() {
    return this.classification.eventClass ?? this.meta()?.EventClass ?? '';
  }
  get targetClass() {
    return this.classification.targetClass ?? this.meta()?.TargetClass ?? '';
  }
  get severity() {
    return this.classification.severity ?? this.meta()?.EventSeverity ?? '';
  }
  get targetSeverity() {
    return this.classification.targetSeverity ?? this.meta()?.TargetSeverity ?? '';
  }
}
