import { describe, expect, it } from 'vitest';
import { basicFilterExpression } from '../../../domain/filters/basic';
import { compileExpression, FilterCompileError } from '../../../domain/filters/compile';
import { filterContext } from '../../../domain/filters/context';
import { compileFilter, type FilterRuntimeError, firstMatchingFilter } from '../../../domain/filters/filter';
import { ipIn } from '../../../domain/filters/ip-functions';
import { type IdeaEvent, parseIdeaEvent } from '../../../domain/idea/schema';

const event = (extra: Record<string, unknown>): IdeaEvent => {
  const result = parseIdeaEvent({
    Format: 'IDEA0',
    ID: 'f1',
    DetectTime: '2024-01-01T00:00:00Z',
    Category: ['Recon.Scanning'],
    ...extra,
  });
  if (!result.ok) throw new Error(result.message);
  return result.event;
};
const scan = event({
  Source: [{ IP4: ['192.0.2.70'], IP6: ['2001:db8::5'], Proto: ['tcp'] }],
  Target: [{ IP4: ['198.51.100.0/28'], Port: [22, 80] }],
  Node: [{ Name: 'cz.example.scan_detector' }],
});
const evaluate = (source: string, e = scan) => compileExpression('test', source).evaluate(filterContext(e));

describe('ipIn', () => {
  it('tests addresses, networks and ranges against IPv4 and IPv6 networks', () => {
    expect(ipIn('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipIn('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(ipIn('10.1.2.0/24', '10.0.0.0/8')).toBe(true);
    expect(ipIn('10.0.0.0/7', '10.0.0.0/8')).toBe(false);
    expect(ipIn('10.0.0.5-10.0.0.9', '10.0.0.0/28')).toBe(true);
    expect(ipIn('10.0.0.5-10.0.0.99', '10.0.0.0/28')).toBe(false);
    expect(ipIn('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(ipIn('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(ipIn('10.0.0.1', '::/0')).toBe(false);
    expect(() => ipIn('nonsense', '10.0.0.0/8')).toThrow(/is not an IP address/);
  });
});

describe('CEL filters over IDEA events', () => {
  it('evaluates expressions over the event and the shortcut variables', () => {
    expect(evaluate('"Recon.Scanning" in Category')).toEqual({ ok: true, value: true });
    expect(evaluate('anyIpIn(sourceIPs, "192.0.2.64/27")')).toEqual({ ok: true, value: true });
    expect(evaluate('sourceIPs.exists(ip, ipIn(ip, "2001:db8::/32"))')).toEqual({ ok: true, value: true });
    expect(evaluate('anyIpIn(targetIPs, "198.51.100.0/24") && 22 in targetPorts')).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluate('"scan_detector" in detectors')).toEqual({ ok: true, value: false });
    expect(evaluate('detectors.exists(d, d.endsWith("scan_detector"))')).toEqual({ ok: true, value: true });
    expect(evaluate('has(event.Target) && size(event.Target) == 1')).toEqual({ ok: true, value: true });
    expect(evaluate('Target.exists(t, has(t.Port) && t.Port.exists(p, p < 1024))')).toEqual({
      ok: true,
      value: true,
    });
  });

  it('reads the single-IP view only for the event, its sections and their IPs, and makes it once', () => {
    let views = 0;
    const oneIp = { ...scan, Source: [{ IP4: ['192.0.2.70'], Proto: ['tcp'] }] } as IdeaEvent;
    const context = () =>
      filterContext(scan, {}, () => {
        views++;
        return oneIp;
      });
    const run = (source: string, c = context()) => compileExpression('test', source).evaluate(c);
    expect(run('"Recon.Scanning" in Category && 22 in targetPorts && "tcp" in protocols')).toEqual({
      ok: true,
      value: true,
    });
    expect(run('detectors.exists(d, d.endsWith("scan_detector"))')).toEqual({ ok: true, value: true });
    expect(views).toBe(0);
    const shared = context();
    expect(run('"2001:db8::5" in sourceIPs', shared)).toEqual({ ok: true, value: false });
    expect(run('size(event.Source[0].IP4) == 1 && size(Source) == 1', shared)).toEqual({
      ok: true,
      value: true,
    });
    expect(views).toBe(1);
  });

  it('evaluates an expression over repeating variables once per combination of their values', () => {
    const compiled = compileExpression('test', '"Recon.Scanning" in Category && size(detectors) > 0');
    let reads = 0;
    const counted = (e: IdeaEvent) => {
      const context = filterContext(e);
      return new Proxy(context, {
        get(target, name) {
          if (name === 'Category') reads++;
          return Reflect.get(target, name);
        },
      });
    };
    const spam = event({ Category: ['Abusive.Spam'], Node: [{ Name: 'cz.example.spam' }] });
    expect(compiled.evaluate(counted(scan))).toEqual({ ok: true, value: true });
    expect(compiled.evaluate(counted(spam))).toEqual({ ok: true, value: false });
    const firstTime = reads;
    expect(compiled.evaluate(counted(scan))).toEqual({ ok: true, value: true });
    expect(compiled.evaluate(counted(spam))).toEqual({ ok: true, value: false });
    // The second time round only the memo's key reads the variable, not the evaluation.
    expect(reads - firstTime).toBeLessThan(firstTime);
    // Over the IPs (or the event), every context is evaluated: a single-IP view changes the answer.
    const byIp = compileExpression('test', 'anyIpIn(sourceIPs, "192.0.2.64/27")');
    const view = (ip: string) => () => ({ ...scan, Source: [{ IP4: [ip] }] }) as IdeaEvent;
    expect(byIp.evaluate(filterContext(scan, {}, view('192.0.2.70')))).toEqual({ ok: true, value: true });
    expect(byIp.evaluate(filterContext(scan, {}, view('203.0.113.1')))).toEqual({ ok: true, value: false });
  });

  it('names the filter and the compiler message when an expression does not compile', () => {
    expect(() => compileExpression('filter "broken"', 'Category ==')).toThrow(FilterCompileError);
    expect(() => compileExpression('filter "broken"', 'Category ==')).toThrow(/^filter "broken": at 1:\d+: /);
    expect(() => compileExpression('filter "typo"', 'ipInn(sourceIPs[0], "10.0.0.0/8")')).toThrow(
      'filter "typo": unknown function "ipInn"',
    );
    expect(() => compileExpression('filter "var"', 'Sources.size() > 0')).toThrow(
      /unknown variable "Sources"/,
    );
    expect(() => compileExpression('filter "empty"', '  ')).toThrow('filter "empty": expression is empty');
  });

  it('returns runtime errors instead of throwing, and non-bool results are errors', () => {
    expect(evaluate('event.NoSuchField == 1')).toEqual({
      ok: false,
      error: expect.stringMatching(/NoSuchField/),
    });
    expect(evaluate('ipIn("garbage", "10.0.0.0/8")')).toEqual({
      ok: false,
      error: expect.stringMatching(/garbage/),
    });
    expect(evaluate('size(Category)')).toEqual({ ok: false, error: expect.stringMatching(/not a bool/) });
  });

  it('a filter failing at runtime is reported and skipped; the next one still decides', () => {
    const errors: FilterRuntimeError[] = [];
    const filters = [
      compileFilter({
        name: 'broken',
        group: 'g',
        enabled: true,
        sourceBased: true,
        expression: 'event.Missing.x',
      }),
      compileFilter({
        name: 'target-only',
        group: null,
        enabled: true,
        sourceBased: false,
        expression: 'true',
      }),
      compileFilter({
        name: 'expired',
        group: null,
        enabled: true,
        sourceBased: true,
        expression: 'true',
        validTo: new Date('2020-01-01'),
      }),
      compileFilter({ name: 'disabled', group: null, enabled: false, sourceBased: true, expression: 'true' }),
      compileFilter({
        name: 'scans',
        group: null,
        enabled: true,
        sourceBased: true,
        expression: '"Recon.Scanning" in Category',
      }),
    ];
    const hit = firstMatchingFilter(filters, filterContext(scan), {
      target: false,
      now: new Date('2024-06-01'),
      onError: (e) => errors.push(e),
    });
    expect(hit?.name).toBe('scans');
    expect(errors).toEqual([{ filter: 'broken', group: 'g', error: expect.any(String) }]);
    expect(
      firstMatchingFilter(filters, filterContext(scan), { target: true, now: new Date('2024-06-01') })?.name,
    ).toBe('target-only');
  });
});

describe('basic filters', () => {
  it('compile the lists into one predicate: AND across lists, OR within a list', () => {
    const expression = basicFilterExpression({
      categories: ['Recon.Scanning', 'Attempt.Login'],
      detectors: ['cz.example.scan_detector'],
      sources: ['192.0.2.64/27', '2001:db8::/32'],
      protocols: ['TCP'],
    });
    expect(evaluate(expression)).toEqual({ ok: true, value: true });
    const otherDetector = basicFilterExpression({ categories: ['Recon.Scanning'], detectors: ['other'] });
    expect(evaluate(otherDetector)).toEqual({ ok: true, value: false });
    const classes = basicFilterExpression({ eventClasses: ['recon-scanning'] });
    expect(
      compileExpression('c', classes).evaluate(filterContext(scan, { eventClass: 'recon-scanning' })),
    ).toEqual({ ok: true, value: true });
    expect(evaluate(basicFilterExpression({ targets: ['198.51.100.0/24'] }))).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluate(basicFilterExpression({ targets: ['203.0.113.0/24'] }))).toEqual({
      ok: true,
      value: false,
    });
  });

  it('quotes list values so they cannot inject CEL', () => {
    const expression = basicFilterExpression({ detectors: ['x") || true || ("'] });
    expect(evaluate(expression)).toEqual({ ok: true, value: false });
  });
});
