// A small reference model of herald's reporting semantics across run kinds (docs/run-kinds.md),
// for the model-based test: one severity (high), summary reports, one event class, and the
// timing the test seeds (per = one tick, thr = three ticks, no relapse window). Pure and
// deliberately naive: every rule is one line a reader can check against the page.

export const TICK_MS = 600_000;
export const PER_MS = TICK_MS;
export const THR_MS = 3 * TICK_MS;

export interface ModelEvent {
  id: string;
  group: string;
  ip: string;
  test: boolean;
  /** Stored inside [tick, tick + 1) in ticks from the base time. */
  storageTick: number;
}

export type RunKind = 'schedule' | 'adhoc' | 'test-data' | 'rerun';

export interface ModelReport {
  group: string;
  kind: RunKind;
  /** `eventId/ip`, sorted. */
  events: string[];
  /** Envelope recipients of its mail; null when it is not mailed (mode none). */
  mailTo: string[] | null;
}

export class ReportingModel {
  readonly events: ModelEvent[] = [];
  readonly reports: ModelReport[] = [];
  /** The current time_h, in ticks. */
  tick = 1;
  /** Per group: the real cursor (tick), once a real run reported a window. */
  readonly cursors = new Map<string, number>();
  /** Per realm and group: key (IP) → tick its suppression started. */
  private readonly armed = new Map<string, Map<string, number>>();
  /** Test-data windows already run (one run per window id). */
  private readonly testWindows = new Set<string>();

  constructor(readonly contacts: Record<string, string>) {}

  ingest(events: Omit<ModelEvent, 'storageTick'>[]): void {
    for (const e of events) this.events.push({ ...e, storageTick: this.tick });
  }

  advance(): void {
    this.tick++;
  }

  /** A scheduled or ad-hoc run of the group at the current time_h, optionally forced to mode none. */
  realRun(group: string, kind: 'schedule' | 'adhoc', modeNone: boolean): void {
    const from = this.cursors.get(group) ?? this.tick - 1;
    if (this.tick - from < PER_MS / TICK_MS) return; // too soon
    this.report(group, kind, 'real', from, this.tick, modeNone ? null : [this.contacts[group]!], false);
    this.cursors.set(group, this.tick);
  }

  /** A test-data run: [time_h − per, time_h), test events only, its own thresholds, no cursor. */
  testRun(group: string): void {
    const id = `${group}@${this.tick}`;
    if (this.testWindows.has(id)) return; // the window's run exists; it is waited for, not repeated
    this.testWindows.add(id);
    this.report(group, 'test-data', 'test', this.tick - 1, this.tick, [this.contacts[group]!], true);
  }

  /** A re-run of the past window [tick − 1, tick): fresh thresholds, nothing kept afterwards. */
  rerun(group: string, tick: number, testAddress: string | null, nonce: string): void {
    this.report(
      group,
      'rerun',
      `rerun:${nonce}`,
      tick - 1,
      tick,
      [testAddress ?? this.contacts[group]!],
      false,
    );
    this.armed.delete(`rerun:${nonce}/${group}`);
  }

  private report(
    group: string,
    kind: RunKind,
    realm: string,
    fromTick: number,
    toTick: number,
    mailTo: string[] | null,
    test: boolean,
  ): void {
    const keys = this.armed.get(`${realm}/${group}`) ?? new Map<string, number>();
    this.armed.set(`${realm}/${group}`, keys);
    const live = (ip: string) => {
      const since = keys.get(ip);
      return since !== undefined && since * TICK_MS + THR_MS >= toTick * TICK_MS;
    };
    const passed = this.events.filter(
      (e) =>
        e.group === group &&
        e.test === test &&
        e.storageTick >= fromTick &&
        e.storageTick < toTick &&
        !live(e.ip),
    );
    if (passed.length === 0) return;
    for (const e of passed) keys.set(e.ip, toTick);
    this.reports.push({ group, kind, events: passed.map((e) => `${e.id}/${e.ip}`).sort(), mailTo });
  }
}
