// Detector credibility: the product of the credibility of every detector
// (Node[].Name) of an event; below 0.5 the event is not reported. Unknown detectors count as 1.0
// and are returned so the run can log them (they never crash the run: docs/mentat.md, "Credibility"). The blocked
// event's hit is charged to the least credible known detector, the one that caused the block,
// not blindly to the last node.

export const CREDIBILITY_THRESHOLD = 0.5;

export interface CredibilityVerdict {
  credibility: number;
  blocked: boolean;
  /** The detector charged with the hit when blocked. */
  charged: string | null;
  unknown: string[];
}

export function credibilityOf(
  nodeNames: readonly string[],
  detectors: ReadonlyMap<string, number>,
): CredibilityVerdict {
  let credibility = 1;
  let charged: string | null = null;
  let lowest = Number.POSITIVE_INFINITY;
  const unknown: string[] = [];
  for (const name of new Set(nodeNames)) {
    const value = detectors.get(name);
    if (value === undefined) {
      unknown.push(name);
      continue;
    }
    credibility *= value;
    if (value < lowest) {
      lowest = value;
      charged = name;
    }
  }
  const blocked = credibility < CREDIBILITY_THRESHOLD;
  return { credibility, blocked, charged: blocked ? charged : null, unknown };
}
