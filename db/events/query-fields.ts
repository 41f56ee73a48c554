// The list-valued search fields of the event store (Mentat's search parameters), each with the
// column it reads and how a list matches it: any value (OR) for `--field`, none of them for
// `--not-field`. One table so search, count, delete, values and stats agree on what a field is.

export type FieldKind =
  /** A text[] column: overlaps the list. */
  | 'array'
  /** A text column: equals one of the list (NULL never matches, and always passes a negation). */
  | 'scalar'
  /** Two integer[] columns (source and target ports), either overlapping the list. */
  | 'ports';

export interface SearchField {
  /** EventQuery key of the positive list; the negation is `not` + capitalised key. */
  key: ListKey;
  /** CLI option (without --); the negation is --not-<option>. */
  option: string;
  /** Columns read (two for `ports` on both sides). */
  columns: string[];
  kind: FieldKind;
  help: string;
  /** Values are compared lower-cased (protocols are stored so) or upper-cased (TLP). */
  fold?: 'lower' | 'upper';
  /** The values are integers (ports). */
  integer?: boolean;
}

export type ListKey =
  | 'groups'
  | 'targetGroups'
  | 'categories'
  | 'classes'
  | 'targetClasses'
  | 'severities'
  | 'targetSeverities'
  | 'detectors'
  | 'nodeTypes'
  | 'protocols'
  | 'sourceTypes'
  | 'targetTypes'
  | 'tlp'
  | 'ports'
  | 'sourcePorts'
  | 'targetPorts';

export const searchFields: readonly SearchField[] = [
  {
    key: 'groups',
    option: 'group',
    columns: ['resolved_abuses'],
    kind: 'array',
    help: 'abuse group of the sources',
  },
  {
    key: 'targetGroups',
    option: 'target-group',
    columns: ['target_abuses'],
    kind: 'array',
    help: 'abuse group of the targets',
  },
  { key: 'categories', option: 'category', columns: ['categories'], kind: 'array', help: 'IDEA category' },
  { key: 'classes', option: 'class', columns: ['event_class'], kind: 'scalar', help: 'event class' },
  {
    key: 'targetClasses',
    option: 'target-class',
    columns: ['target_class'],
    kind: 'scalar',
    help: 'target class',
  },
  {
    key: 'severities',
    option: 'severity',
    columns: ['event_severity'],
    kind: 'scalar',
    help: 'event severity',
  },
  {
    key: 'targetSeverities',
    option: 'target-severity',
    columns: ['target_severity'],
    kind: 'scalar',
    help: 'target severity',
  },
  {
    key: 'detectors',
    option: 'detector',
    columns: ['node_names'],
    kind: 'array',
    help: 'detector (Node.Name)',
  },
  {
    key: 'nodeTypes',
    option: 'node-type',
    columns: ['node_types'],
    kind: 'array',
    help: 'detector type (Node.Type)',
  },
  {
    key: 'protocols',
    option: 'protocol',
    columns: ['protocols'],
    kind: 'array',
    help: 'protocol of a source or target (Proto)',
    fold: 'lower',
  },
  {
    key: 'sourceTypes',
    option: 'source-type',
    columns: ['source_types'],
    kind: 'array',
    help: 'source type (Source.Type)',
  },
  {
    key: 'targetTypes',
    option: 'target-type',
    columns: ['target_types'],
    kind: 'array',
    help: 'target type (Target.Type)',
  },
  {
    key: 'tlp',
    option: 'tlp',
    columns: ['tlp'],
    kind: 'scalar',
    help: 'traffic light protocol (TLP)',
    fold: 'upper',
  },
  {
    key: 'ports',
    option: 'port',
    columns: ['source_ports', 'target_ports'],
    kind: 'ports',
    help: 'source or target port',
    integer: true,
  },
  {
    key: 'sourcePorts',
    option: 'source-port',
    columns: ['source_ports'],
    kind: 'ports',
    help: 'source port',
    integer: true,
  },
  {
    key: 'targetPorts',
    option: 'target-port',
    columns: ['target_ports'],
    kind: 'ports',
    help: 'target port',
    integer: true,
  },
];

export type NotKey = `not${Capitalize<ListKey>}`;

export const notKey = (key: ListKey): NotKey => `not${key[0]!.toUpperCase()}${key.slice(1)}` as NotKey;

/**
 * The SQL condition of one field for a list of values; `param` adds a parameter and returns its
 * placeholder. A single value of a scalar column is compared with `=`: `= ANY` would not match
 * the partial (event_severity, storage_time) index.
 */
export function fieldCondition(
  field: SearchField,
  list: readonly (string | number)[],
  param: (value: unknown) => string,
  negate: boolean,
): string {
  const type = field.integer ? 'integer[]' : 'text[]';
  const values = field.fold === 'lower' ? list.map((v) => String(v).toLowerCase()) : list;
  if (field.kind === 'scalar') {
    const column = field.columns[0]!;
    const read = field.fold === 'upper' ? `upper(${column})` : column;
    const folded = field.fold === 'upper' ? values.map((v) => String(v).toUpperCase()) : values;
    const positive =
      folded.length === 1 ? `${read} = ${param(folded[0])}` : `${read} = ANY(${param(folded)}::${type})`;
    return negate ? `(${column} IS NULL OR NOT (${positive}))` : positive;
  }
  const p = param(values);
  const positive = field.columns.map((c) => `${c} && ${p}::${type}`).join(' OR ');
  return negate || field.columns.length > 1 ? `${negate ? 'NOT ' : ''}(${positive})` : positive;
}
