// The default template's plain-text part: the same content as default.tsx, at most 90 columns.
import { type ClassSection, listText, type ReportView } from '../report-view';
import { wrap } from '../wrap';

function sectionLines(view: ReportView, section: ClassSection, relapsed: boolean): string[] {
  const w = view.words;
  const more = view.more;
  const lines = ['', ...wrap(section.label)];
  if (section.reference) lines.push(...wrap(`${w.reference}: ${section.reference}`, '', '  '));
  if (relapsed)
    lines.push(
      ...wrap(
        section.earlier.length > 0
          ? w.relapsedNote.replace('{ref}', section.earlier.join(', '))
          : w.relapsedNoRef,
        '',
        '  ',
      ),
    );
  for (const row of section.rows) {
    lines.push(`  ${row.ip}`);
    lines.push(...wrap(`${w.first}: ${row.first}`, '    ', '  '));
    lines.push(...wrap(`${w.last}: ${row.last}`, '    ', '  '));
    lines.push(...wrap(`${w.count}: ${row.count}   ${w.connections}: ${row.connections}`, '    ', '  '));
    lines.push(...wrap(`${w.detectors}: ${listText(row.detectors, more)}`, '    ', '  '));
    lines.push(...wrap(`${w.ports}: ${listText(row.ports, more)}`, '    ', '  '));
    lines.push(...wrap(`${w.protocols}: ${listText(row.protocols, more)}`, '    ', '  '));
  }
  if (section.moreIps > 0) lines.push(`  … ${more(section.moreIps)}`);
  return lines;
}

export function defaultText(view: ReportView): string {
  const w = view.words;
  const width = Math.max(...view.facts.map(([k]) => k.length)) + 2;
  const lines: string[] = [...wrap(view.subject), ''];
  if (view.testData) lines.push(...wrap(w.testData), '');
  lines.push(...wrap(view.intro), '');
  for (const [k, v] of view.facts) lines.push(...wrap(`${`${k}:`.padEnd(width)}${v}`, '', ' '.repeat(width)));
  if (view.regular.length > 0) {
    lines.push('', `== ${w.regular} ==`);
    for (const s of view.regular) lines.push(...sectionLines(view, s, false));
  }
  if (view.relapsed.length > 0) {
    lines.push('', `== ${w.relapsed} ==`);
    for (const s of view.relapsed) lines.push(...sectionLines(view, s, true));
  }
  if (view.attachment.length > 0) {
    lines.push('');
    for (const a of view.attachment) lines.push(...wrap(a));
  }
  lines.push('', '-- ', ...wrap(w.footer), '');
  return lines.join('\n');
}
