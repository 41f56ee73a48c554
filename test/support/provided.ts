// What the global setup hands to every test file (vitest provide/inject).
declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    /** Namespaces created at server start, one per test file (empty for a server given by TEMPORAL_ADDRESS). */
    testNamespaces: string[];
    adminDatabaseUrl: string;
    templateDatabase: string;
    testRunId: string;
    workflowBundlePath: string;
  }
}

export {};
