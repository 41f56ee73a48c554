// The default report mail (summary, extra and target): a header with the facts, then a table per
// event class. React escapes every interpolated value, so event data stays text.
import {
  Body,
  Container,
  Head,
  Heading,
  Hr,
  Html,
  Link,
  Preview,
  Section,
  Text,
} from '@react-email/components';
import type { CSSProperties } from 'react';
import { type ClassSection, type LimitedList, listText, type ReportView } from '../report-view';
import { defaultText } from './default-text';
import type { ReportTemplate } from './types';

const page: CSSProperties = { backgroundColor: '#f4f5f7', fontFamily: 'Helvetica, Arial, sans-serif' };
const box: CSSProperties = { backgroundColor: '#ffffff', padding: '24px', maxWidth: '960px' };
const cell: CSSProperties = {
  borderBottom: '1px solid #e1e4e8',
  padding: '4px 8px',
  fontSize: '13px',
  verticalAlign: 'top',
  textAlign: 'left',
};
const head: CSSProperties = { ...cell, backgroundColor: '#eef1f5', fontWeight: 'bold' };
const mono: CSSProperties = { ...cell, fontFamily: 'Menlo, Consolas, monospace' };

function List({ list, view }: { list: LimitedList; view: ReportView }) {
  return <>{listText(list, view.more)}</>;
}

function ClassTable({
  section,
  view,
  relapsed,
}: {
  section: ClassSection;
  view: ReportView;
  relapsed: boolean;
}) {
  const w = view.words;
  return (
    <Section style={{ marginTop: '20px' }}>
      <Heading as="h3" style={{ fontSize: '15px', margin: '0 0 4px' }}>
        {section.label}
      </Heading>
      {section.reference ? (
        <Text style={{ margin: '0 0 6px', fontSize: '13px' }}>
          <Link href={section.reference}>{w.reference}</Link>
        </Text>
      ) : null}
      {relapsed ? (
        <Text style={{ margin: '0 0 6px', fontSize: '13px', color: '#8a4b00' }}>
          {section.earlier.length > 0
            ? w.relapsedNote.replace('{ref}', section.earlier.join(', '))
            : w.relapsedNoRef}
        </Text>
      ) : null}
      <table style={{ borderCollapse: 'collapse', width: '100%' }} cellPadding={0} cellSpacing={0}>
        <thead>
          <tr>
            <th style={head}>{w.ip}</th>
            <th style={head}>{w.first}</th>
            <th style={head}>{w.last}</th>
            <th style={head}>{w.count}</th>
            <th style={head}>{w.detectors}</th>
            <th style={head}>{w.ports}</th>
            <th style={head}>{w.protocols}</th>
            <th style={head}>{w.connections}</th>
          </tr>
        </thead>
        <tbody>
          {section.rows.map((row) => (
            <tr key={row.ip}>
              <td style={mono}>{row.ip}</td>
              <td style={{ ...cell, whiteSpace: 'nowrap' }}>{row.first}</td>
              <td style={{ ...cell, whiteSpace: 'nowrap' }}>{row.last}</td>
              <td style={cell}>{row.count}</td>
              <td style={cell}>
                <List list={row.detectors} view={view} />
              </td>
              <td style={cell}>
                <List list={row.ports} view={view} />
              </td>
              <td style={cell}>
                <List list={row.protocols} view={view} />
              </td>
              <td style={cell}>{row.connections}</td>
            </tr>
          ))}
          {section.moreIps > 0 ? (
            <tr>
              <td style={{ ...cell, fontStyle: 'italic' }} colSpan={8}>
                … {view.more(section.moreIps)}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </Section>
  );
}

export function DefaultReport({ view }: { view: ReportView }) {
  const w = view.words;
  return (
    <Html lang={view.lang}>
      <Head>
        <title>{view.subject}</title>
      </Head>
      <Preview>{view.intro}</Preview>
      <Body style={page}>
        <Container style={box}>
          <Heading as="h2" style={{ fontSize: '18px', margin: '0 0 12px' }}>
            {view.subject}
          </Heading>
          {view.testData ? (
            <Text style={{ backgroundColor: '#fff3cd', padding: '6px 10px', fontWeight: 'bold' }}>
              {w.testData}
            </Text>
          ) : null}
          <Text>{view.intro}</Text>
          <table style={{ borderCollapse: 'collapse' }} cellPadding={0} cellSpacing={0}>
            <tbody>
              {view.facts.map(([k, v]) => (
                <tr key={k}>
                  <th style={{ ...cell, borderBottom: 'none', paddingLeft: 0 }}>{k}</th>
                  <td style={{ ...cell, borderBottom: 'none' }}>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {view.regular.length > 0 ? (
            <Heading as="h2" style={{ fontSize: '16px', marginTop: '24px' }}>
              {w.regular}
            </Heading>
          ) : null}
          {view.regular.map((s) => (
            <ClassTable key={s.key} section={s} view={view} relapsed={false} />
          ))}
          {view.relapsed.length > 0 ? (
            <Heading as="h2" style={{ fontSize: '16px', marginTop: '24px' }}>
              {w.relapsed}
            </Heading>
          ) : null}
          {view.relapsed.map((s) => (
            <ClassTable key={s.key} section={s} view={view} relapsed={true} />
          ))}
          {view.attachment.map((a) => (
            <Text key={a} style={{ fontSize: '13px' }}>
              {a}
            </Text>
          ))}
          <Hr />
          <Text style={{ fontSize: '12px', color: '#555' }}>{w.footer}</Text>
        </Container>
      </Body>
    </Html>
  );
}

export const defaultTemplate: ReportTemplate = {
  name: 'default',
  html: (view) => <DefaultReport view={view} />,
  text: defaultText,
};
