// One entry point for every supported log format.
import { parseCombinedLine } from './parse-combined';
import { parseCsvLine } from './parse-csv';
import type { ParsedLine, ParseOutcome } from './parsed-line';
import type { LogFormat } from './types';

export type LineParser = (text: string, out: ParsedLine) => ParseOutcome;

export function parserFor(format: LogFormat): LineParser {
  return format === 'csv' ? parseCsvLine : parseCombinedLine;
}
