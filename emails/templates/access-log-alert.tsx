// The access-log alert mail's HTML part (react-email components); React escapes every value.
import { Body, Container, Head, Heading, Html, Text } from '@react-email/components';

export function AccessLogAlertEmail(props: { subject: string; headline: string; facts: [string, string][] }) {
  const alert = props.subject.includes('ALERT');
  return (
    <Html lang="en">
      <Head>
        <title>{props.subject}</title>
      </Head>
      <Body style={{ fontFamily: 'Helvetica, Arial, sans-serif', backgroundColor: '#f4f5f7' }}>
        <Container style={{ backgroundColor: '#ffffff', padding: '20px' }}>
          <Heading as="h1" style={{ fontSize: '18px', color: alert ? '#b00020' : '#1b5e20' }}>
            {props.headline}
          </Heading>
          <table cellPadding={0} cellSpacing={0}>
            <tbody>
              {props.facts.map(([k, v]) => (
                <tr key={k}>
                  <th style={{ textAlign: 'left', padding: '2px 16px 2px 0', fontSize: '13px' }}>{k}</th>
                  <td style={{ fontSize: '13px' }}>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Text style={{ color: '#666', fontSize: '12px' }}>herald access-log monitor</Text>
        </Container>
      </Body>
    </Html>
  );
}
