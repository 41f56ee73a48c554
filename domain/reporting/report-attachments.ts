// The files attached to a report mail: its events as JSON, CSV or both, as they are, gzipped one by
// one or packed into one zip archive (as Mentat did). The size limit counts uncompressed bytes of
// all files together; events are taken oldest first while they fit, and the mail body says how
// many did not (docs/mail.md).
import { gzipSync, zipSync } from 'fflate';
import { type AttachedEvent, csvHeader, csvLines, csvRows } from './csv-attachment';
import { withoutPrivateKeys } from './private-keys';

export type AttachmentKind = 'none' | 'json' | 'csv' | 'both';
export type AttachmentCompression = 'none' | 'gzip' | 'zip';

export interface AttachmentWishes {
  attachments: AttachmentKind;
  compress: AttachmentCompression;
  /** Uncompressed bytes of all files together; 0 = no limit. */
  maxBytes: number;
}

export interface AttachmentFile {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface ReportAttachments {
  files: AttachmentFile[];
  /** Events in the files, and events of the report left out by the size limit. */
  events: number;
  omitted: number;
}

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text).length;

/**
 * The files for `events` (oldest first; `total`: the report's events, some of which the caller may
 * not have loaded because they could not fit anyway). `time` dates the zip entries.
 */
export function reportAttachments(
  label: string,
  wishes: AttachmentWishes,
  events: readonly AttachedEvent[],
  total: number,
  options: { target: boolean; time: Date },
): ReportAttachments {
  const withJson = wishes.attachments === 'json' || wishes.attachments === 'both';
  const withCsv = wishes.attachments === 'csv' || wishes.attachments === 'both';
  const jsonParts: string[] = [];
  const csvParts: string[] = [];
  let size = (withJson ? bytes('[\n\n]\n') : 0) + (withCsv ? bytes(csvHeader()) : 0);
  for (const attached of events) {
    const json = withJson ? JSON.stringify(withoutPrivateKeys(attached.event)) : '';
    const csv = withCsv ? csvLines(csvRows(attached, options.target)) : '';
    const grown = size + (withJson ? bytes(json) + 2 : 0) + (withCsv ? bytes(csv) : 0);
    if (wishes.maxBytes > 0 && grown > wishes.maxBytes) break;
    size = grown;
    if (withJson) jsonParts.push(json);
    if (withCsv) csvParts.push(csv);
  }
  const included = withJson ? jsonParts.length : csvParts.length;
  const plain: AttachmentFile[] = [];
  const base = `security-report-${label}`;
  if (withJson)
    plain.push({
      filename: `${base}.json`,
      contentType: 'application/json',
      content: encoder.encode(`[\n${jsonParts.join(',\n')}\n]\n`),
    });
  if (withCsv)
    plain.push({
      filename: `${base}.csv`,
      contentType: 'text/csv; charset=utf-8; header=present',
      content: encoder.encode(csvHeader() + csvParts.join('')),
    });
  return {
    files: compressed(base, plain, wishes.compress, options.time),
    events: included,
    omitted: total - included,
  };
}

function compressed(
  base: string,
  files: AttachmentFile[],
  method: AttachmentCompression,
  time: Date,
): AttachmentFile[] {
  if (method === 'gzip')
    return files.map((f) => ({
      filename: `${f.filename}.gz`,
      contentType: 'application/gzip',
      content: gzipSync(f.content, { filename: f.filename, mtime: time }),
    }));
  if (method === 'zip' && files.length > 0)
    return [
      {
        filename: `${base}.zip`,
        contentType: 'application/zip',
        content: zipSync(Object.fromEntries(files.map((f) => [f.filename, [f.content, { mtime: time }]]))),
      },
    ];
  return files;
}
