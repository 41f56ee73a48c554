// The workflows herald registers (the worker bundles this file): workflow functions only, since
// every export of it becomes a workflow type. Deterministic code only.
export { accessLogAlertMail } from './access-log-alert-mail';
export { accessLogMonitor } from './access-log-monitor';
export { mailRetry } from './mail-retry';
export { reportGroup } from './report-group';
export { reportRerun } from './report-rerun';
export { reportSeverity } from './report-severity';
