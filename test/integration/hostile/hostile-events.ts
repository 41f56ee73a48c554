// Hostile IDEA events shared by the hostile-input tests: every string field carrying SQL
// metacharacters, CR/LF with header-like text, HTML and script; plus the oversized and malformed
// ones. Big inputs are generated here at test time rather than committed.

/** Header-like text an attacker hopes ends up unescaped in a mail header. */
export const INJECT = 'x\r\nBcc: victim@evil.example\r\nX-Injected: yes\r\n\r\n<b>body</b>';
export const SQL = `'; DROP TABLE events; -- $1 \\' " \\\\ E'\\x00' %s`;
export const SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>';

/**
 * Every free-text field of an IDEA event set to `text`. Fields the IDEA0 schema restricts to
 * tags, handles, media types or MAC addresses (types, protocols, node names, …) keep valid
 * values: text there is refused, with the field named (ingest-hostile-events.test.ts).
 */
export function everyStringField(id: string, text: string, ip: string): Record<string, unknown> {
  return {
    Format: 'IDEA0',
    ID: id,
    AltNames: [text],
    DetectTime: '2026-11-22T10:00:00Z',
    Category: ['Recon.Scanning'],
    Ref: [text],
    Description: text,
    Note: text,
    TLP: text,
    Source: [
      {
        Type: ['Scanner'],
        Hostname: [text],
        IP4: [ip],
        Port: [22],
        Proto: ['tcp'],
        URL: [text],
        Email: [text],
        AttachHand: ['att1'],
        Note: text,
        Router: [text],
        Netname: [text],
        Ref: [text],
      },
    ],
    Target: [{ Hostname: [text], IP4: ['198.51.100.7'], Proto: ['tcp'], Note: text }],
    Attach: [
      {
        Handle: 'att1',
        FileName: [text],
        Type: ['Log'],
        Note: text,
        ContentType: 'text/plain',
        Content: text,
      },
    ],
    Node: [{ Name: 'cz.example.hostile', Type: ['Flow'], SW: ['Nemea'], Note: text, AggrWin: '00:05:00' }],
    [text]: text, // an extension key as well
  };
}

/** `depth` levels of `{"n": …}` around a leaf, as JSON text (JSON.stringify would recurse). */
export function nestedJson(depth: number): string {
  return `${'{"n":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;
}

/** `count` distinct IPv4 addresses from 10.77.0.0 up. */
export function manyIps(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `10.77.${i >> 8}.${i & 255}`);
}

/** The same event with `text` in every tag field as well: the IDEA0 schema refuses it. */
export function textInTagFields(id: string, text: string): Record<string, unknown> {
  const event = everyStringField(id, 'x', '192.0.2.20');
  return { ...event, Node: [{ Name: text }] };
}
