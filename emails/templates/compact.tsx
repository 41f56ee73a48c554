// A second template set ("compact", chosen with --force-template compact): one table for the
// whole report, a row per class and IP. It proves templates are pluggable: same view, other look.
import { Body, Container, Head, Html, Link, Text } from '@react-email/components';
import type { CSSProperties } from 'react';
import { type ClassSection, listText, type ReportView } from '../report-view';
import { wrap } from '../wrap';
import type { ReportTemplate } from './types';

const cell: CSSProperties = { border: '1px solid #999', padding: '2px 6px', fontSize: '12px' };

function rows(view: ReportView, sections: ClassSection[], mark: string) {
  return sections.flatMap((s) => [
    ...s.rows.map((r) => (
      <tr key={`${mark}${s.key}|${r.ip}`}>
        <td style={cell}>
          {mark}
          {s.reference ? <Link href={s.reference}>{s.label}</Link> : s.label}
        </td>
        <td style={cell}>{r.ip}</td>
        <td style={cell}>{r.count}</td>
        <td style={cell}>
          {r.first} – {r.last}
        </td>
        <td style={cell}>{listText(r.ports, view.more)}</td>
        <td style={cell}>{listText(r.detectors, view.more)}</td>
      </tr>
    )),
    ...(s.moreIps > 0
      ? [
          <tr key={`${mark}${s.key}|more`}>
            <td style={cell} colSpan={6}>
              {s.label}: {view.more(s.moreIps)}
            </td>
          </tr>,
        ]
      : []),
  ]);
}

function CompactReport({ view }: { view: ReportView }) {
  const w = view.words;
  return (
    <Html lang={view.lang}>
      <Head>
        <title>{view.subject}</title>
      </Head>
      <Body style={{ fontFamily: 'monospace' }}>
        <Container>
          <Text>{view.subject}</Text>
          {view.testData ? <Text>{w.testData}</Text> : null}
          <Text>{view.facts.map(([k, v]) => `${k}: ${v}`).join(' · ')}</Text>
          <table style={{ borderCollapse: 'collapse' }}>
            <tbody>
              {rows(view, view.regular, '')}
              {rows(view, view.relapsed, '↻ ')}
            </tbody>
          </table>
          {view.relapsed.length > 0 ? <Text>↻ {w.relapsed}</Text> : null}
          {view.attachment.map((a) => (
            <Text key={a}>{a}</Text>
          ))}
          <Text>{w.footer}</Text>
        </Container>
      </Body>
    </Html>
  );
}

function compactText(view: ReportView): string {
  const w = view.words;
  const lines = [...wrap(view.subject), ''];
  if (view.testData) lines.push(...wrap(w.testData));
  lines.push(...wrap(view.facts.map(([k, v]) => `${k}: ${v}`).join(' · ')), '');
  for (const [mark, sections] of [
    ['', view.regular],
    ['↻ ', view.relapsed],
  ] as const)
    for (const s of sections) {
      for (const r of s.rows)
        lines.push(
          ...wrap(
            `${mark}${s.key} ${r.ip} ×${r.count} ${r.first} – ${r.last} ${listText(r.ports, view.more)}`,
            '',
            '    ',
          ),
        );
      if (s.moreIps > 0) lines.push(`${mark}${s.key}: ${view.more(s.moreIps)}`);
    }
  if (view.relapsed.length > 0) lines.push('', `↻ ${w.relapsed}`);
  for (const a of view.attachment) lines.push(...wrap(a));
  lines.push('', '-- ', ...wrap(w.footer), '');
  return lines.join('\n');
}

export const compactTemplate: ReportTemplate = {
  name: 'compact',
  html: (view) => <CompactReport view={view} />,
  text: compactText,
};
