// RPSL objects from a stream of lines (the RIPE database's dump format, docs/ripe-import.md):
// an object is a run of `attribute: value` lines ended by a blank line; a line starting with a
// space, a tab or `+` continues the previous value (`+` alone keeps an empty line in it); `%` and
// `#` lines are comments, and `#` ends a value (`source: RIPE # Filtered`). Fed one line at a
// time, so a dump of any size is read with one object in memory.

export interface RpslAttribute {
  /** Lower-case attribute name. */
  name: string;
  /** Value with comments removed, continuation lines joined by a space, trimmed. */
  value: string;
  line: number;
}

export interface RpslObject {
  /** The class: the first attribute's name (inetnum, role, organisation, …). */
  cls: string;
  attributes: RpslAttribute[];
  /** Line of the first attribute. */
  line: number;
}

export interface RpslProblem {
  line: number;
  attribute?: string;
  message: string;
}

/** An object longer than this is refused (no RIPE object comes near); memory stays bounded. */
export const MAX_OBJECT_LINES = 10_000;

const attributeLine = /^([A-Za-z0-9][A-Za-z0-9_-]*):(.*)$/;

function withoutComment(value: string): string {
  const hash = value.indexOf('#');
  return (hash < 0 ? value : value.slice(0, hash)).trim();
}

export class RpslReader {
  private attributes: RpslAttribute[] = [];
  private lines = 0;
  /** Set once the current object is known to be malformed: the rest of it is skipped. */
  private broken = false;

  constructor(
    private readonly onObject: (object: RpslObject) => void,
    private readonly onProblem: (problem: RpslProblem) => void,
  ) {}

  line(text: string, line: number): void {
    if (text.trim() === '') {
      this.end();
      return;
    }
    const first = text.charCodeAt(0);
    // % and # in the first column: whois and dump comments, also between an object's lines.
    if (first === 37 || first === 35) return;
    if (this.broken) return;
    if (++this.lines > MAX_OBJECT_LINES) {
      this.fail({ line, message: `object has more than ${MAX_OBJECT_LINES} lines` });
      return;
    }
    // space, tab, +: a continuation of the previous attribute's value.
    if (first === 32 || first === 9 || first === 43) {
      const last = this.attributes[this.attributes.length - 1];
      if (!last) {
        this.fail({ line, message: 'continuation line before the first attribute of an object' });
        return;
      }
      const more = withoutComment(first === 43 ? text.slice(1) : text);
      if (more) last.value = last.value ? `${last.value} ${more}` : more;
      return;
    }
    const match = attributeLine.exec(text);
    if (!match) {
      const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
      this.fail({ line, message: `expected "attribute: value", got ${JSON.stringify(shown)}` });
      return;
    }
    this.attributes.push({ name: match[1]!.toLowerCase(), value: withoutComment(match[2]!), line });
  }

  /** End of input (or a blank line): hands on the object read so far. */
  end(): void {
    const attributes = this.attributes;
    const broken = this.broken;
    this.attributes = [];
    this.lines = 0;
    this.broken = false;
    if (broken || attributes.length === 0) return;
    this.onObject({ cls: attributes[0]!.name, attributes, line: attributes[0]!.line });
  }

  /** A line the caller could not read (e.g. too long): the object it belongs to is skipped. */
  refuse(line: number, message: string): void {
    if (!this.broken) this.fail({ line, message });
  }

  private fail(problem: RpslProblem): void {
    const cls = this.attributes[0];
    this.onProblem(
      cls
        ? { ...problem, message: `${problem.message} (in the ${cls.name} object of line ${cls.line})` }
        : problem,
    );
    this.broken = true;
    this.attributes = [];
  }
}

/** The first value of an attribute, or undefined. */
export function attribute(object: RpslObject, name: string): RpslAttribute | undefined {
  return object.attributes.find((a) => a.name === name);
}

/** Every value of an attribute (RPSL attributes may repeat). */
export function attributes(object: RpslObject, name: string): RpslAttribute[] {
  return object.attributes.filter((a) => a.name === name);
}
