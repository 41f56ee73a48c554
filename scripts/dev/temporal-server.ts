// The Temporal dev server (`temporal server start-dev`) with herald's search attributes.
import { searchAttributeCliArgs } from '../../domain/search-attributes';

export interface DevServerOptions {
  port: number;
  uiPort?: number; // omitted: headless (tests)
  namespace: string;
  /** More namespaces created at start, with the same search attributes (tests: one per file). */
  extraNamespaces?: string[];
  dbFile?: string; // omitted: in memory
  ip?: string;
  /** false: a namespace without herald's search attributes, as on a cluster herald did not set up. */
  searchAttributes?: boolean;
}

export function devServerArgs(options: DevServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    options.ip ?? '127.0.0.1',
    '--port',
    String(options.port),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    '--namespace',
    options.namespace,
    ...(options.extraNamespaces ?? []).flatMap((namespace) => ['--namespace', namespace]),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(options.searchAttributes === false ? [] : searchAttributeCliArgs()),
    '--log-level',
    'warn',
    // Visibility reads see new search attributes at once (tests and the CLI query right after start).
    '--dynamic-config-value',
    'system.forceSearchAttributesCacheRefreshOnRead=true',
  ];
}
