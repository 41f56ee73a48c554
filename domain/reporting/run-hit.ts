// One (event, IP) a severity run found in its window or among its relapses, at its final stage.
import type { HitStage } from './chains';
import type { Pass } from './threshold-key';

export interface RunHit {
  pass: Pass;
  relapsed: boolean;
  eventId: string;
  /** PostgreSQL text of the event's storage_time (full precision). */
  storageTime: string;
  ip: string;
  chain: readonly string[];
  fallback: readonly string[];
  thresholdKey: string;
  stage: HitStage;
}
