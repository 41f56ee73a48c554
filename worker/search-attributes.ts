// herald's search attributes on the namespace: checked by the worker before it polls and by the
// CLI commands that start workflows (without them every monitor workflow task fails and every
// start is refused), registered by `herald temporal setup` through the operator API.
import proto from '@temporalio/proto';
import { heraldSearchAttributes } from '../domain/search-attributes';

const { temporal } = proto;
type OperatorService = proto.temporal.api.operatorservice.v1.OperatorService;
const { IndexedValueType } = temporal.api.enums.v1;

export interface SearchAttributeState {
  namespace: string;
  /** Registered with the right type. */
  present: string[];
  missing: string[];
  /** Registered under herald's name with another type: setup cannot change that by itself. */
  wrongType: { name: string; registered: string; expected: string }[];
}

const typeTitle = (type: string) => type.charAt(0) + type.slice(1).toLowerCase(); // KEYWORD -> Keyword
const typeName = (value: number) =>
  (IndexedValueType[value] ?? String(value)).replace(/^INDEXED_VALUE_TYPE_/, '');

export async function searchAttributeState(
  operator: OperatorService,
  namespace: string,
): Promise<SearchAttributeState> {
  const { customAttributes } = await operator.listSearchAttributes({ namespace });
  const registered = customAttributes ?? {};
  const state: SearchAttributeState = { namespace, present: [], missing: [], wrongType: [] };
  for (const [name, expected] of Object.entries(heraldSearchAttributes)) {
    const type = registered[name];
    if (type === undefined || type === null) state.missing.push(name);
    else if (typeName(type) !== expected)
      state.wrongType.push({ name, registered: typeTitle(typeName(type)), expected: typeTitle(expected) });
    else state.present.push(name);
  }
  return state;
}

/** The commands an operator runs where herald may not use the operator API (e.g. a cloud namespace). */
export function createCommands(namespace: string, names: string[]): string[] {
  return names.map(
    (name) =>
      `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${typeTitle(heraldSearchAttributes[name as keyof typeof heraldSearchAttributes])}`,
  );
}

export class SearchAttributesMissing extends Error {
  override name = 'SearchAttributesMissing';
  constructor(readonly state: SearchAttributeState) {
    const parts: string[] = [];
    if (state.missing.length) parts.push(`lacks herald's search attributes ${state.missing.join(', ')}`);
    if (state.wrongType.length)
      parts.push(
        `has ${state.wrongType.map((w) => `${w.name} as ${w.registered} (herald needs ${w.expected})`).join(', ')}`,
      );
    super(
      `namespace ${state.namespace} ${parts.join(' and ')}; run \`herald temporal setup\` (it registers them, or prints the \`temporal operator search-attribute\` commands to run)`,
    );
  }
}

/** Throws SearchAttributesMissing, one line naming what is missing and the fix. */
export async function requireSearchAttributes(operator: OperatorService, namespace: string): Promise<void> {
  const state = await searchAttributeState(operator, namespace);
  if (state.missing.length || state.wrongType.length) throw new SearchAttributesMissing(state);
}

/** gRPC codes of an operator API the caller may not use: PERMISSION_DENIED, UNIMPLEMENTED, UNAUTHENTICATED. */
const NOT_ALLOWED = new Set([7, 12, 16]);

export function operatorApiRefused(error: unknown): boolean {
  return NOT_ALLOWED.has((error as { code?: number })?.code ?? -1);
}

export const searchAttributeTypes = Object.fromEntries(
  Object.entries(heraldSearchAttributes).map(([name, type]) => [
    name,
    IndexedValueType[`INDEXED_VALUE_TYPE_${type}` as keyof typeof IndexedValueType] as number,
  ]),
);
