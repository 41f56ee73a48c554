// Every workflow herald registers (the worker bundles this file). Deterministic code only.
export * from './access-log-alert-mail';
export * from './access-log-monitor';
export * from './report-group';
export * from './report-severity';
