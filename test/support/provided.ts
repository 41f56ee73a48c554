// What the global setup hands to every test file (vitest provide/inject).
declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    adminDatabaseUrl: string;
    templateDatabase: string;
    testRunId: string;
    workflowBundlePath: string;
  }
}

export {};
