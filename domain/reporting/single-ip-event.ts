// Mentat filters a multi-IP event one address at a time: a copy of the
// event whose Source (or Target) sections carry no addresses except this one, in section[0].

type Json = Record<string, unknown>;

export function singleIpCopy(event: Json, section: 'Source' | 'Target', ip: string): Json {
  const entries = Array.isArray(event[section]) ? (event[section] as Json[]) : [];
  const family = ip.includes(':') ? 'IP6' : 'IP4';
  const cleared = entries.map((entry) => {
    const copy: Json = { ...entry };
    delete copy.IP4;
    delete copy.IP6;
    return copy;
  });
  if (cleared.length === 0) cleared.push({});
  cleared[0] = { ...cleared[0], [family]: [ip] };
  return { ...event, [section]: cleared };
}

/** IPs of a section as texts (IP4 then IP6), de-duplicated. */
export function sectionIps(event: Json, section: 'Source' | 'Target'): string[] {
  const entries = Array.isArray(event[section]) ? (event[section] as Json[]) : [];
  const ips: string[] = [];
  for (const entry of entries)
    for (const family of ['IP4', 'IP6'])
      for (const ip of Array.isArray(entry[family]) ? (entry[family] as unknown[]) : [])
        if (typeof ip === 'string' && !ips.includes(ip)) ips.push(ip);
  return ips;
}
