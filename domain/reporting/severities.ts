// The severities herald reports, in Mentat's order (REPORT_SEVERITIES, Current: info first).
// The order matters: recipients are chosen from the report's severity *downwards*.
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

export function severityIndex(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** `High` for `high`: the severity as it appears in subjects. */
export function severityTitle(severity: Severity): string {
  return severity.charAt(0).toUpperCase() + severity.slice(1);
}
