import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { repoRoot } from '../../../config/paths';
import { parseCatalog } from '../../../domain/catalog/schema';
import { createAbuseResolver } from '../../../domain/idea/abuse';
import { classifyEvent, compileEventClasses } from '../../../domain/idea/classify';
import { extractEventRow, UNKNOWN_CATEGORY_WARNING } from '../../../domain/idea/extract';
import { type IdeaEvent, parseIdeaEvent } from '../../../domain/idea/schema';
import { ideaCategories } from '../../../domain/idea/taxonomy';

const defaults = parseCatalog(
  YAML.parse(readFileSync(path.join(repoRoot, 'catalog', 'default-catalog.yaml'), 'utf8')),
);
if (!defaults.ok) throw new Error(defaults.problems.join('\n'));
const classes = compileEventClasses(
  defaults.catalog.event_classes.map((c) => ({
    name: c.name,
    rule: c.rule,
    severity: c.severity,
    sourceBased: c.source_based,
    priority: c.priority,
    state: c.state,
  })),
);

const event = (extra: Partial<IdeaEvent> & { Category: string[] }): IdeaEvent => {
  const result = parseIdeaEvent({ Format: 'IDEA0', ID: 'e1', DetectTime: '2024-01-01T00:00:00Z', ...extra });
  if (!result.ok) throw new Error(result.message);
  return result.event;
};

const resolver = createAbuseResolver([
  { group: 'national', network: '192.0.2.0/24', isBase: true },
  { group: 'university', network: '192.0.2.0/25', isBase: false },
  { group: 'dorms', network: '192.0.2.64/27', isBase: false, rank: 1 },
  { group: 'v6-org', network: '2001:db8:100::/48', isBase: false },
]);

describe('classification by the default catalog', () => {
  it.each([
    [['Recon.Scanning'], {}, 'recon-scanning', 'low'],
    [['Attempt.Login'], { Target: [{ Port: [22] }] }, 'attempt-login-ssh', 'medium'],
    [['Attempt.Login'], { Target: [{ Port: [3389] }] }, 'attempt-login', 'medium'],
    [['Availability.DDoS'], {}, 'availability-ddos', 'high'],
    [['Intrusion.Botnet', 'Malware.Trojan'], {}, 'intrusion-botnet', 'high'],
    [['Intrusion.AdminCompromise'], {}, 'intrusion-compromise', 'critical'],
    [['Anomaly.Traffic'], {}, 'anomaly-traffic', 'info'],
    [['Test', 'Recon.Scanning'], {}, 'test', 'info'],
  ] as const)('%j -> %s', (category, extra, expectedClass, expectedSeverity) => {
    const result = classifyEvent(event({ Category: [...category], ...extra } as never), classes);
    expect([result.eventClass, result.eventSeverity]).toEqual([expectedClass, expectedSeverity]);
  });

  it('classifies every category of the IDEA taxonomy, each anomaly under its own name', () => {
    const unclassified = ideaCategories.filter(
      (category) => classifyEvent(event({ Category: [category] }), classes).eventClass === null,
    );
    expect(unclassified).toEqual([]);
    expect(classifyEvent(event({ Category: ['Anomaly.Connection'] }), classes).eventClass).toBe(
      'anomaly-connection',
    );
    const labels = new Map(defaults.catalog.event_classes.map((c) => [c.name, c.labels?.en]));
    expect(labels.get('anomaly-connection')).toBe('Connection anomaly');
  });

  it('leaves an event no rule matches unclassified (a category outside the taxonomy)', () => {
    expect(classifyEvent(event({ Category: ['Suspicious.Miner'] }), classes).eventClass).toBeNull();
    expect(classifyEvent(event({ Category: ['Malware'] }), classes).eventClass).toBeNull();
  });

  it('a matching disabled class leaves the event unclassified; a shadow class flags it', () => {
    const custom = compileEventClasses([
      {
        name: 'off',
        rule: '"Other" in Category',
        severity: 'low',
        sourceBased: true,
        priority: 10,
        state: 'disabled',
      },
      { name: 'fallback', rule: 'true', severity: 'low', sourceBased: true, priority: 0, state: 'enabled' },
      {
        name: 'shadowy',
        rule: '"Recon.Scanning" in Category',
        severity: 'high',
        sourceBased: true,
        priority: 5,
        state: 'shadow',
      },
    ]);
    expect(classifyEvent(event({ Category: ['Other'] }), custom).eventClass).toBeNull();
    const shadow = classifyEvent(event({ Category: ['Recon.Scanning'] }), custom);
    expect([shadow.eventClass, shadow.shadow]).toEqual(['shadowy', true]);
  });

  it("computes subclasses with the class's subclassing expression", () => {
    const custom = compileEventClasses([
      {
        name: 'login',
        rule: '"Attempt.Login" in Category',
        severity: 'medium',
        sourceBased: true,
        priority: 0,
        state: 'enabled',
        subclassing: 'targetPorts.map(p, string(int(p)))',
      },
    ]);
    const result = classifyEvent(
      event({ Category: ['Attempt.Login'], Target: [{ Port: [22, 2222] }] } as never),
      custom,
    );
    expect([result.eventClass, result.eventSubclasses]).toEqual(['login', ['22', '2222']]);
    const row = extractEventRow(event({ Category: ['Attempt.Login'], Target: [{ Port: [22] }] } as never), {
      classes: custom,
      abuses: resolver,
    });
    expect(row.event_subclasses).toEqual(['22']);
    expect((row.event._Mentat as Record<string, unknown>).EventSubclass).toEqual(['22']);
  });

  it('skips a rule that fails at runtime and records it', () => {
    const custom = compileEventClasses([
      {
        name: 'broken',
        rule: 'event.Nope == 1',
        severity: 'low',
        sourceBased: true,
        priority: 10,
        state: 'enabled',
      },
      { name: 'ok', rule: 'true', severity: 'medium', sourceBased: true, priority: 0, state: 'enabled' },
    ]);
    const result = classifyEvent(event({ Category: ['Other'] }), custom);
    expect(result.eventClass).toBe('ok');
    expect(result.errors[0]).toMatch(/^event class "broken": /);
  });
});

describe('abuse resolution', () => {
  it('takes the most specific non-base network first', () => {
    expect(resolver.resolve(['192.0.2.70'])).toEqual(['dorms']);
    expect(resolver.resolve(['192.0.2.10'])).toEqual(['university']);
    expect(resolver.resolve(['192.0.2.10', '192.0.2.70', '192.0.2.11'])).toEqual(['university', 'dorms']);
    expect(resolver.resolve(['2001:db8:100::5'])).toEqual(['v6-org']);
  });

  it('never assigns an address covered only by a base network', () => {
    expect(resolver.resolve(['192.0.2.200'])).toEqual([]);
    expect(resolver.chain('192.0.2.200').map((n) => n.group)).toEqual(['national']);
    expect(resolver.chain('192.0.2.70').map((n) => n.group)).toEqual(['dorms', 'university', 'national']);
  });

  it('tells base-only addresses apart, and reports them to the base owner only when asked', () => {
    expect(resolver.resolveDetailed(['192.0.2.200', '192.0.2.70', '203.0.113.1'])).toEqual({
      groups: ['dorms'],
      baseOnly: ['national'],
    });
    const reporting = createAbuseResolver(
      [
        { group: 'national', network: '192.0.2.0/24', isBase: true },
        { group: 'university', network: '192.0.2.0/25', isBase: false },
      ],
      { reportBaseOnly: true },
    );
    expect(reporting.resolveDetailed(['192.0.2.200', '192.0.2.10'])).toEqual({
      groups: ['national', 'university'],
      baseOnly: ['national'],
    });
  });

  it('resolves a network only to groups whose network holds all of it', () => {
    expect(resolver.resolve(['192.0.2.64/27'])).toEqual(['dorms']);
    expect(resolver.resolve(['192.0.2.0/24'])).toEqual([]);
  });
});

describe('row extraction', () => {
  it("keeps _Mentat/_CESNET classes; groups are herald's, the incoming ones kept as data", () => {
    const row = extractEventRow(
      event({
        Category: ['Recon.Scanning'],
        Source: [{ IP4: ['192.0.2.70'] }],
        _CESNET: {
          EventClass: 'legacy-class',
          EventSeverity: 'critical',
          ResolvedAbuses: ['someone'],
          StorageTime: 1395483151,
        },
      } as never),
      { classes, abuses: resolver },
    );
    expect([row.event_class, row.event_severity, row.resolved_abuses]).toEqual([
      'legacy-class',
      'critical',
      ['dorms'],
    ]);
    expect(row.event._CESNET).toBeUndefined();
    expect(row.event._Mentat).toMatchObject({
      EventClass: 'legacy-class',
      ResolvedAbuses: ['dorms'],
      ReceivedResolvedAbuses: ['someone'],
    });
  });

  it('reads a free-form _Mentat leniently: values of another type decide nothing', () => {
    const row = extractEventRow(
      event({
        Category: ['Recon.Scanning'],
        _Mentat: { EventClass: 7, EventSeverity: 'bogus', ResolvedAbuses: 'x', InspectionErrors: 'y' },
      } as never),
      { classes, abuses: resolver },
    );
    expect([row.event_class, row.event_severity, row.resolved_abuses, row.inspection_errors]).toEqual([
      'recon-scanning',
      'low',
      [],
      [],
    ]);
  });

  it('stores a category outside the taxonomy with an inspection warning, and base-only owners', () => {
    const row = extractEventRow(
      event({ Category: ['Suspicious.Miner'], Source: [{ IP4: ['192.0.2.200'] }] } as never),
      { classes, abuses: resolver },
    );
    expect(row).toMatchObject({
      event_class: null,
      resolved_abuses: [],
      base_abuses: ['national'],
      inspection_errors: [`${UNKNOWN_CATEGORY_WARNING}Suspicious.Miner`],
    });
  });

  it('classifies, resolves sources and targets, and fills the searchable columns', () => {
    const row = extractEventRow(
      event({
        Category: ['Attempt.Login'],
        Source: [
          {
            IP4: ['192.0.2.70', '198.51.100.1'],
            IP6: ['2001:db8:100::1'],
            Proto: ['TCP', 'ssh'],
            Port: [5555],
          },
        ],
        Target: [{ IP4: ['192.0.2.10'], Port: [22] }],
        Node: [{ Name: 'cz.example.kippo', Type: ['Honeypot'] }],
      } as never),
      { classes, abuses: resolver },
    );
    expect(row).toMatchObject({
      event_class: 'attempt-login-ssh',
      event_severity: 'medium',
      resolved_abuses: ['dorms', 'v6-org'],
      target_abuses: ['university'],
      source_ips: ['192.0.2.70', '198.51.100.1', '2001:db8:100::1'],
      source_ip4_net: '192.0.0.0/5', // 192 = 11000|000, 198 = 11000|110
      source_ip6_net: '2001:db8:100::1/128',
      target_ip4_net: '192.0.2.10/32',
      target_ip6_net: null,
      protocols: ['ssh', 'tcp'],
      node_names: ['cz.example.kippo'],
      source_ports: [5555],
      target_ports: [22],
      is_test: false,
    });
  });
});
