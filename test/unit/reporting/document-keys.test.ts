// Which keys of the event document a run fetches for its filters and reports
// (domain/reporting/document-keys.ts): every filter variable maps to the keys it is made from.
import { describe, expect, it } from 'vitest';
import { filterVariables } from '../../../domain/filters/context';
import { compileFilter } from '../../../domain/filters/filter';
import { documentKeys } from '../../../domain/reporting/document-keys';

const filter = (expression: string) =>
  compileFilter({ name: 'f', group: null, enabled: true, sourceBased: true, expression });

describe('documentKeys', () => {
  it('reads no key when no filter applies (the reports read leaves fetched apart)', () => {
    expect(documentKeys([])).toEqual([]);
  });

  it('adds the keys a basic filter’s variables come from', () => {
    const basic = filter('Category.exists(c, c in ["Recon.Scanning"]) && detectors.exists(d, d in ["x"])');
    expect(documentKeys([basic])).toEqual(['Category', 'Node']);
    expect(documentKeys([filter('eventClass == "x" || ID == "y"'), filter('Description != ""')])).toEqual([
      'Description',
      'ID',
      '_CESNET',
      '_Mentat',
    ]);
    expect(documentKeys([filter('protocols.exists(p, p == "ssh") || targetPorts.size() > 0')])).toEqual([
      'Source',
      'Target',
    ]);
  });

  it('reads the whole document when any filter reads `event`', () => {
    expect(documentKeys([filter('Category.size() > 0'), filter('has(event.Note)')])).toBe('whole');
    expect(documentKeys([filter('event.Source.size() > 1 || sourceIPs.size() > 2')])).toBe('whole');
  });

  it('names the keys of every variable a filter may use, or the whole document', () => {
    for (const variable of filterVariables) {
      const keys = documentKeys([filter(`${variable} != null`)]);
      if (variable === 'event') expect(keys).toBe('whole');
      else expect(keys, variable).not.toBe('whole');
    }
    // A comprehension's own variable is not a context variable.
    expect(documentKeys([filter('[1, 2].exists(event, event > 1)')])).toEqual([]);
  });
});
