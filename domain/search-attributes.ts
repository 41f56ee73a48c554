// herald's custom search attributes: registered on the dev server at start and by
// `herald dev up`; used by workflows (typed keys) and by the CLI's visibility queries.
export const heraldSearchAttributes = {
  HeraldGroup: 'KEYWORD',
  HeraldSeverity: 'KEYWORD',
  HeraldRunKind: 'KEYWORD',
  HeraldMonitorSource: 'KEYWORD',
  HeraldAlertState: 'KEYWORD',
} as const;

export type HeraldSearchAttributeName = keyof typeof heraldSearchAttributes;

/** `NAME=Keyword` arguments for `temporal server start-dev --search-attribute`. */
export function searchAttributeCliArgs(): string[] {
  return Object.keys(heraldSearchAttributes).flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
}
