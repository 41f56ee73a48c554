// Report attachments: the CSV (RFC 4180, BOM, one row per event and reported IP, formulas
// neutralised) read back with a CSV library, herald's `_` keys stripped from the JSON, the size
// limit over all files, gzip and zip (the zip read back by Info-ZIP's unzip).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, neutralised } from '../../../domain/reporting/csv-attachment';
import { withoutPrivateKeys } from '../../../domain/reporting/private-keys';
import { reportAttachments } from '../../../domain/reporting/report-attachments';

const event = (id: string, extra: Record<string, unknown> = {}) => ({
  Format: 'IDEA0',
  ID: id,
  DetectTime: '2026-03-14T11:00:00+01:00',
  Category: ['Recon.Scanning', 'Test'],
  Description: 'SSH dictionary attack',
  Source: [
    { IP4: ['192.0.2.1', '192.0.2.2'], Port: [2222, 22], Proto: ['TCP'] },
    { IP4: ['192.0.2.3'], Port: [80], Proto: ['tcp', 'http'] },
  ],
  Target: [{ IP4: ['198.51.100.7'], Port: [22] }],
  Node: [{ Name: 'cz.example.relay' }, { Name: 'cz.example.sensor', SW: ['probe'] }],
  _Mentat: { EventClass: 'attempt-login', EventSubclass: ['ssh'], ResolvedAbuses: ['acme'] },
  ...extra,
});

// ignoreBOM: keep the BOM in the text, where the test can see it.
const decode = (bytes: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
const time = new Date('2026-03-14T10:10:00Z');

describe('the CSV attachment', () => {
  const attached = reportAttachments(
    'M20260314SH-CSV01',
    { attachments: 'csv', compress: 'none', maxBytes: 0 },
    [
      { event: event('e-1'), ips: ['192.0.2.1', '192.0.2.3'] },
      { event: event('e-2', { Description: '=HYPERLINK("http://evil.example","x")' }), ips: ['192.0.2.2'] },
    ],
    2,
    { target: false, time },
  );

  it('has a BOM, a header and one row per (event, reported IP), with CRLF line ends', () => {
    expect(attached.files.map((f) => [f.filename, f.contentType])).toEqual([
      ['security-report-M20260314SH-CSV01.csv', 'text/csv; charset=utf-8; header=present'],
    ]);
    const text = decode(attached.files[0]!.content);
    expect(text.startsWith('\uFEFFdetect_time,class,')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(5); // header, three rows, the empty rest
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows.map((r) => [r.event_id, r.source_ip, r.source_ports])).toEqual([
      ['e-1', '192.0.2.1', '22 2222'],
      ['e-1', '192.0.2.3', '80'],
      ['e-2', '192.0.2.2', '22 2222'],
    ]);
    expect(rows[0]).toMatchObject({
      detect_time: '2026-03-14T10:00:00.000Z',
      class: 'attempt-login/ssh',
      category: 'Recon.Scanning, Test',
      target_ip: '198.51.100.7',
      target_ports: '22',
      protocol: 'tcp http',
      detector: 'cz.example.sensor',
      description: 'SSH dictionary attack',
    });
    expect(attached).toMatchObject({ events: 2, omitted: 0 });
  });

  it('neutralises values a spreadsheet would run as a formula', () => {
    const rows = parse(decode(attached.files[0]!.content), { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(rows[2]!.description).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(['=1', '+1', '-1', '@SUM(A1)', '\tx', 'ok'].map(neutralised)).toEqual([
      "'=1",
      "'+1",
      "'-1",
      "'@SUM(A1)",
      "'\tx",
      'ok',
    ]);
  });

  it('in a target report, the reported IP is the target and the sources are listed', () => {
    const [file] = reportAttachments(
      'M20260314TH-CSV02',
      { attachments: 'csv', compress: 'none', maxBytes: 0 },
      [{ event: event('e-3', { _Mentat: { TargetClass: 'attack-ssh' } }), ips: ['198.51.100.7'] }],
      1,
      { target: true, time },
    ).files;
    const [row] = parse(decode(file!.content), { bom: true, columns: true }) as Record<string, string>[];
    expect(row).toMatchObject({
      class: 'attack-ssh',
      target_ip: '198.51.100.7',
      target_ports: '22',
      source_ip: '192.0.2.1 192.0.2.2 192.0.2.3',
      source_ports: '22 80 2222',
    });
  });
});

describe('the JSON attachment', () => {
  it('carries the events without `_`-prefixed keys, at any depth', () => {
    const [file] = reportAttachments(
      'M20260314SH-JSON1',
      { attachments: 'json', compress: 'none', maxBytes: 0 },
      [{ event: event('e-1', { Attach: [{ _Private: 1, Note: 'kept' }] }), ips: ['192.0.2.1'] }],
      1,
      { target: false, time },
    ).files;
    const [parsed] = JSON.parse(decode(file!.content));
    expect(parsed._Mentat).toBeUndefined();
    expect(parsed.Attach).toEqual([{ Note: 'kept' }]);
    expect(parsed.ID).toBe('e-1');
    expect(withoutPrivateKeys({ a: [{ _b: 1 }], _c: 2 })).toEqual({ a: [{}] });
  });
});

describe('size limit and compression', () => {
  const events = Array.from({ length: 20 }, (_, i) => ({ event: event(`e-${i}`), ips: ['192.0.2.1'] }));

  it('takes events oldest first while JSON and CSV together fit, and counts the rest', () => {
    const all = reportAttachments('M1', { attachments: 'both', compress: 'none', maxBytes: 0 }, events, 25, {
      target: false,
      time,
    });
    const total = all.files.reduce((n, f) => n + f.content.length, 0);
    expect(all).toMatchObject({ events: 20, omitted: 5 });
    const cut = reportAttachments(
      'M1',
      { attachments: 'both', compress: 'none', maxBytes: Math.floor(total / 2) },
      events,
      25,
      { target: false, time },
    );
    const size = cut.files.reduce((n, f) => n + f.content.length, 0);
    expect(size).toBeLessThanOrEqual(Math.floor(total / 2));
    expect(cut.events).toBeGreaterThan(5);
    expect(cut.events).toBeLessThan(20);
    expect(cut.omitted).toBe(25 - cut.events);
    expect(JSON.parse(decode(cut.files[0]!.content))).toHaveLength(cut.events);
    expect(parse(decode(cut.files[1]!.content), { bom: true, columns: true })).toHaveLength(cut.events);
  });

  it('gzips each file, or packs all into one zip that unzip reads', () => {
    const gz = reportAttachments('M2', { attachments: 'both', compress: 'gzip', maxBytes: 0 }, events, 20, {
      target: false,
      time,
    });
    expect(gz.files.map((f) => f.filename)).toEqual([
      'security-report-M2.json.gz',
      'security-report-M2.csv.gz',
    ]);
    expect(JSON.parse(decode(gunzipSync(gz.files[0]!.content)))).toHaveLength(20);

    const zip = reportAttachments('M3', { attachments: 'both', compress: 'zip', maxBytes: 0 }, events, 20, {
      target: false,
      time,
    });
    expect(zip.files.map((f) => [f.filename, f.contentType])).toEqual([
      ['security-report-M3.zip', 'application/zip'],
    ]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'herald-zip-')), 'a.zip');
    writeFileSync(file, zip.files[0]!.content);
    expect(execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      'security-report-M3.json',
      'security-report-M3.csv',
    ]);
    const csv = execFileSync('unzip', ['-p', file, 'security-report-M3.csv'], { encoding: 'utf8' });
    expect(parse(csv, { bom: true, columns: true })).toHaveLength(20);
  });
});
