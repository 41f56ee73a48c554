// Pure parts of the operator CLI: re-run windows, the force validator, visibility query quoting,
// and how a replay failure is reduced to its reason and first mismatching event.
import { describe, expect, it } from 'vitest';
import { firstMismatch, shortReason } from '../../../client/operations/replay';
import { runsQuery } from '../../../client/operations/runs';
import { invalidOverrides } from '../../../domain/reporting/force-overrides';
import { rerunWindows } from '../../../domain/reporting/time-window';

describe('rerunWindows', () => {
  it('cuts a period into consecutive windows, the last one cut at the end', () => {
    expect(rerunWindows('2026-11-01T00:00:00.000Z', '2026-11-03T12:00:00.000Z', 86_400)).toEqual([
      { from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z' },
      { from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' },
      { from: '2026-11-03T00:00:00.000Z', to: '2026-11-03T12:00:00.000Z' },
    ]);
  });
});

describe('invalidOverrides', () => {
  it('accepts known modes and IANA zones, names the bad field otherwise', () => {
    expect(invalidOverrides({ mode: 'none', timezone: 'Europe/Prague' })).toBeNull();
    expect(invalidOverrides({ mode: 'loud' as 'none' })).toBe(
      'mode: expected one of summary, extra, both, none, got "loud"',
    );
    expect(invalidOverrides({ timezone: 'Mars/Olympus' })).toBe(
      'timezone: "Mars/Olympus" is not an IANA time zone',
    );
  });
});

describe('runsQuery', () => {
  it('quotes values so a group name cannot change the query', () => {
    expect(runsQuery({ group: "x' OR 'a'='a", since: '2026-11-01T00:00:00.000Z', status: ['Failed'] })).toBe(
      "WorkflowType IN ('reportGroup', 'reportSeverity', 'reportRerun') AND HeraldGroup = 'x\\' OR \\'a\\'=\\'a'" +
        " AND StartTime >= '2026-11-01T00:00:00.000Z' AND ExecutionStatus IN ('Failed')",
    );
  });
});

describe('replay failure reduction', () => {
  const history = {
    events: [
      {
        eventId: 1,
        eventType: 1,
        workflowExecutionStartedEventAttributes: { workflowType: { name: 'reportSeverity' } },
      },
      {
        eventId: 5,
        eventType: 10,
        activityTaskScheduledEventAttributes: { activityType: { name: 'fetchV2' } },
      },
    ],
  };
  const message =
    'Replay failed. Details: Failure { failure: Some(Failure { message: "[TMPRL1100] Nondeterminism error: Activity type of scheduled event \'fetchV2\' does not match activity type of activity command \'fetchReportEvents\'", source: "" }) }';

  it("keeps the core's sentence", () => {
    expect(shortReason(message)).toBe(
      "[TMPRL1100] Nondeterminism error: Activity type of scheduled event 'fetchV2' does not match activity type of activity command 'fetchReportEvents'",
    );
  });

  it('finds the first event carrying the name the core quotes, or the event it names by id', () => {
    expect(firstMismatch(message, history as never)).toEqual({
      eventId: 5,
      eventType: 'ACTIVITY_TASK_SCHEDULED',
    });
    expect(firstMismatch('No command scheduled for event 5', history as never)).toEqual({
      eventId: 5,
      eventType: 'ACTIVITY_TASK_SCHEDULED',
    });
    expect(firstMismatch('something else', history as never)).toBeNull();
  });
});
