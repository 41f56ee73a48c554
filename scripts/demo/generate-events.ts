// Generates realistic IDEA events as NDJSON (deterministic for a given --seed and --now).
//   node --import tsx scripts/demo/generate-events.ts --count 300 --seed 42 [--now ISO] [--out FILE]
// Sources mostly fall into the demo catalog's networks (scripts/demo/demo-catalog.yaml) so the
// reporter has something to report; some are outside every network.
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';

/** mulberry32: small, fast, deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  weight: number;
  category: string[];
  detector: string;
  nodeType: string[];
  description: string;
  proto: string[];
  targetPorts: number[];
  conn?: [number, number];
}

const scenarios: Scenario[] = [
  {
    weight: 30,
    category: ['Recon.Scanning'],
    detector: 'cz.example.scan_detector',
    nodeType: ['Flow', 'Statistical'],
    description: 'TCP port scan',
    proto: ['tcp'],
    targetPorts: [22, 23, 80, 443, 445, 3389, 8080],
    conn: [20, 5000],
  },
  {
    weight: 20,
    category: ['Attempt.Login'],
    detector: 'cz.example.kippo',
    nodeType: ['Honeypot', 'Connection'],
    description: 'SSH dictionary attack',
    proto: ['tcp', 'ssh'],
    targetPorts: [22],
    conn: [5, 500],
  },
  {
    weight: 8,
    category: ['Attempt.Exploit'],
    detector: 'cz.example.ids',
    nodeType: ['Connection', 'Signature'],
    description: 'Exploit attempt against a web application',
    proto: ['tcp', 'http'],
    targetPorts: [80, 443],
  },
  {
    weight: 6,
    category: ['Availability.DDoS'],
    detector: 'cz.example.ddos_detector',
    nodeType: ['Flow', 'Statistical'],
    description: 'UDP amplification flood',
    proto: ['udp'],
    targetPorts: [53, 123, 1900],
  },
  {
    weight: 8,
    category: ['Vulnerable.Open'],
    detector: 'cz.example.scan_detector',
    nodeType: ['External', 'Active'],
    description: 'Open recursive DNS resolver',
    proto: ['udp', 'dns'],
    targetPorts: [],
  },
  {
    weight: 6,
    category: ['Intrusion.Botnet'],
    detector: 'cz.example.ids',
    nodeType: ['Connection', 'Signature'],
    description: 'Communication with a botnet C&C server',
    proto: ['tcp', 'http'],
    targetPorts: [8080, 443],
  },
  {
    weight: 4,
    category: ['Malware.Trojan'],
    detector: 'cz.example.ids',
    nodeType: ['Content', 'Signature'],
    description: 'Trojan download',
    proto: ['tcp', 'http'],
    targetPorts: [80],
  },
  {
    weight: 8,
    category: ['Abusive.Spam'],
    detector: 'org.example.spamtrap',
    nodeType: ['Content', 'Data'],
    description: 'Spam source',
    proto: ['tcp', 'smtp'],
    targetPorts: [25],
  },
  {
    weight: 3,
    category: ['Fraud.Phishing'],
    detector: 'cz.example.ids',
    nodeType: ['Content'],
    description: 'Phishing site',
    proto: ['tcp', 'http'],
    targetPorts: [],
  },
  {
    weight: 1,
    category: ['Intrusion.UserCompromise'],
    detector: 'cz.example.kippo',
    nodeType: ['Honeypot'],
    description: 'Successful login with a leaked password',
    proto: ['tcp', 'ssh'],
    targetPorts: [22],
  },
  {
    weight: 5,
    category: ['Recon.Scanning'],
    detector: 'org.example.noisy_sensor',
    nodeType: ['Flow'],
    description: 'Possible scan',
    proto: ['tcp'],
    targetPorts: [80],
  },
  {
    weight: 1,
    category: ['Test'],
    detector: 'cz.example.ids',
    nodeType: ['Signature'],
    description: 'Test event',
    proto: ['tcp'],
    targetPorts: [],
  },
];
const totalWeight = scenarios.reduce((sum, s) => sum + s.weight, 0);

export interface GenerateOptions {
  count: number;
  seed: number;
  now: Date;
  /** Spread of DetectTime before `now`, seconds. */
  spreadSeconds?: number;
}

export function* generateEvents(options: GenerateOptions): Generator<Record<string, unknown>> {
  const random = prng(options.seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => int(0, 15).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  const spread = options.spreadSeconds ?? 6 * 3600;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

  const sourceAddress = (): { IP4?: string[]; IP6?: string[] } => {
    const r = random();
    if (r < 0.25) return { IP4: [`192.0.2.${int(1, 126)}`] }; // university (incl. dorms .64/27, lab .96/28)
    if (r < 0.45) return { IP4: [`198.51.100.${int(1, 126)}`] }; // ISP customers
    if (r < 0.6) return { IP4: [`203.0.113.${int(1, 126)}`] }; // hosting DC1
    if (r < 0.7) return { IP6: [`2001:db8:100::${int(1, 0xffff).toString(16)}`] }; // university v6
    if (r < 0.78) return { IP6: [`2001:db8:2${hex(2)}::${hex(4)}`] }; // ISP v6
    if (r < 0.85) return { IP4: [`192.0.2.${int(129, 254)}`] }; // only the national base network
    if (r < 0.92) return { IP4: [`192.0.2.${int(1, 62)}`, `198.51.100.${int(1, 126)}`] }; // two groups
    return { IP4: [`${int(11, 99)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`] }; // outside
  };

  for (let i = 0; i < options.count; i++) {
    let roll = random() * totalWeight;
    let scenario = scenarios[0]!;
    for (const s of scenarios) {
      roll -= s.weight;
      if (roll < 0) {
        scenario = s;
        break;
      }
    }
    const detect = options.now.getTime() - int(0, spread) * 1000;
    const started = detect - int(60, 3600) * 1000;
    const target: Record<string, unknown> = {
      IP4: [`${int(100, 200)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`],
      Proto: scenario.proto,
    };
    if (scenario.targetPorts.length) target.Port = [pick(scenario.targetPorts)];
    const event: Record<string, unknown> = {
      Format: 'IDEA0',
      ID: uuid(),
      CreateTime: iso(detect + int(0, 30) * 1000),
      DetectTime: iso(detect),
      EventTime: iso(started),
      CeaseTime: iso(detect - int(0, 59) * 1000),
      Category: scenario.category,
      Description: scenario.description,
      Source: [{ ...sourceAddress(), Proto: scenario.proto }],
      Target: [target],
      Node: [{ Name: scenario.detector, Type: scenario.nodeType }],
    };
    if (scenario.conn) event.ConnCount = int(...scenario.conn);
    yield event;
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '300' },
      seed: { type: 'string', default: '1' },
      now: { type: 'string' },
      out: { type: 'string' },
      'spread-hours': { type: 'string', default: '6' },
    },
  });
  const count = Number(values.count);
  const seed = Number(values.seed);
  const now = values.now ? new Date(values.now) : new Date();
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(seed) || Number.isNaN(now.getTime())) {
    process.stderr.write('usage: generate-events.ts [--count N] [--seed N] [--now ISO] [--out FILE]\n');
    process.exit(2);
  }
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  for (const event of generateEvents({
    count,
    seed,
    now,
    spreadSeconds: Number(values['spread-hours']) * 3600,
  })) {
    if (!out.write(`${JSON.stringify(event)}\n`))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
