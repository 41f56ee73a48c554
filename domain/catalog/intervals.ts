// Mentat's named reporting intervals (reference §4.1), in seconds. 11days..13days are the real
// values, not Mentat's copy-paste 10 days (W-15).
export const reportingIntervals: Record<string, number> = {
  none: 0,
  '5mins': 300,
  '10mins': 600,
  '15mins': 900,
  '20mins': 1200,
  '30mins': 1800,
  '1hr': 3600,
  '2hrs': 7200,
  '3hrs': 10800,
  '4hrs': 14400,
  '6hrs': 21600,
  '8hrs': 28800,
  '12hrs': 43200,
  '1day': 86400,
  '2days': 172800,
  '3days': 259200,
  '4days': 345600,
  '5days': 432000,
  '6days': 518400,
  '1week': 604800,
  '8days': 691200,
  '9days': 777600,
  '10days': 864000,
  '11days': 950400,
  '12days': 1036800,
  '13days': 1123200,
  '2weeks': 1209600,
  '3weeks': 1814400,
  '4weeks': 2419200,
};

/** Seconds for a named interval or a non-negative integer number of seconds; null if neither. */
export function intervalSeconds(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : null;
  return reportingIntervals[value] ?? null;
}

/** The name of an interval when it has one, else the number of seconds. */
export function intervalName(seconds: number): string | number {
  return (
    Object.entries(reportingIntervals).find(([name, s]) => s === seconds && name !== '11days')?.[0] ?? seconds
  );
}
