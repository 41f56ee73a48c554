// What `herald force` can still change in a severity run: mode, template, locale, time zone and
// mail options, until the run renders (test data cannot change). The step may wait at the window
// fence or fetch for minutes before it renders: overrides that arrive meanwhile are recorded in
// PostgreSQL, where the step reads them under the run's render lock, or learn they came too late
// (docs/reporting.md, "Forcing a run"). Workflow-side code, not a workflow.
import { log, proxyActivities } from '@temporalio/workflow';
import type { ReportingActivities } from '../activities/reporting';
import type { MailOptions, SeverityRunInput } from '../activities/reporting/types';
import type { ForceOptions } from '../domain/reporting/report-plan';
import type { ForceOverrides } from './report-messages';
import { DATABASE_RETRY } from './retry-policies';

const { recordReportRunOverrides } = proxyActivities<Pick<ReportingActivities, 'recordReportRunOverrides'>>({
  startToCloseTimeout: '2 minutes',
  retry: DATABASE_RETRY,
});

export class RunOptions {
  readonly force: ForceOptions;
  readonly mail: MailOptions;
  private stepInFlight = false;
  private rendered = false;
  private recorded: Promise<void> = Promise.resolve();

  constructor(private readonly input: SeverityRunInput) {
    this.force = { ...input.force };
    this.mail = { ...input.mail };
  }

  /** The `force` signal's handler. */
  apply(o: ForceOverrides): void {
    if (this.rendered) return;
    if (o.mode !== undefined) this.force.mode = o.mode;
    if (o.template !== undefined) this.force.template = o.template;
    if (o.locale !== undefined) this.force.locale = o.locale;
    if (o.timezone !== undefined) this.force.timezone = o.timezone;
    if (o.mailTestMode !== undefined) this.mail.mailTestMode = o.mailTestMode;
    if (o.mailTo !== undefined) this.mail.mailTo = o.mailTo;
    if (this.stepInFlight) this.record();
  }

  /** Runs the step that renders; overrides that arrive during it are recorded for it. */
  async duringStep<T>(step: () => Promise<T>): Promise<T> {
    this.stepInFlight = true;
    try {
      return await step();
    } finally {
      this.stepInFlight = false;
      this.rendered = true;
      // An override still being recorded finds the reports stored and says so (a warning).
      await this.recorded;
    }
  }

  private record(): void {
    const options = { runId: this.input.runId, force: { ...this.force }, mail: { ...this.mail } };
    // One after the other, so the last override is the one recorded.
    this.recorded = this.recorded.then(async () => {
      try {
        const { applied } = await recordReportRunOverrides(options);
        if (!applied)
          log.warn('force arrived after this run stored its reports; they keep the options they had');
      } catch (error) {
        // Cancelled with the run, or the database down for all retries: the step renders with
        // what it had (the run's own failure, if any, surfaces from the step).
        log.warn('force could not be passed to the running step', { error: String(error) });
      }
    });
  }
}
