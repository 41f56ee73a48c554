// What a severity run's step returns, from its counters and its stored reports.
import { Context } from '@temporalio/activity';
import type { Counters } from '../../domain/reporting/chains';
import { REPORT_REF_LIMIT, type RenderResult, type ReportRef } from './types';

/** The activity's heartbeat; a no-op when called outside an activity (tests call it directly). */
export function heartbeat(): () => void {
  try {
    const ctx = Context.current();
    return () => ctx.heartbeat();
  } catch {
    return () => {};
  }
}

export function resultOf(
  counters: Counters,
  reports: {
    label: string;
    type: ReportRef['type'];
    ip: string | null;
    to: string[];
    cc: string[];
    outboxId: number | null;
  }[],
): RenderResult {
  return {
    result: reports.length > 0 ? 'reported' : 'skipped-no-events',
    counters,
    reports: reports
      .slice(0, REPORT_REF_LIMIT)
      .map(({ label, type, ip, to, cc }) => ({ label, type, ip, to, cc })),
    reportCount: reports.length,
    outboxIds: reports.flatMap((r) => (r.outboxId === null ? [] : [r.outboxId])),
  };
}
