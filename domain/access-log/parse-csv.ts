// The exercise's CSV export, one request per line:
//   "remotehost","rfc931","authuser","date","request","status","bytes"
//   "10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234
// `date` is epoch seconds; fields may or may not be quoted; the header line is skipped.
import {
  isClientChar,
  MAX_CLIENT_LENGTH,
  type ParsedLine,
  type ParseOutcome,
  parseBytes,
  parseDigits,
} from './parsed-line';
import { sectionOfRequest } from './section';

const FIELDS = 7;

export function parseCsvLine(text: string, out: ParsedLine): ParseOutcome {
  const length = text.length;
  if (length === 0) return 'empty line';
  // Start/end (content, without quotes) of the fields we use; filled in one pass.
  let clientStart = 0;
  let clientEnd = 0;
  let dateStart = 0;
  let dateEnd = 0;
  let requestStart = 0;
  let requestEnd = 0;
  let statusStart = 0;
  let statusEnd = 0;
  let bytesStart = 0;
  let bytesEnd = 0;
  let field = 0;
  let i = 0;
  while (field < FIELDS) {
    let start: number;
    let end: number;
    if (text.charCodeAt(i) === 34 /* " */) {
      start = i + 1;
      end = -1;
      for (let j = start; j < length; j++) {
        if (text.charCodeAt(j) === 34) {
          if (text.charCodeAt(j + 1) === 34)
            j++; // "" is an escaped quote
          else {
            end = j;
            break;
          }
        }
      }
      if (end < 0) return 'wrong number of fields';
      i = end + 1;
    } else {
      start = i;
      end = text.indexOf(',', i);
      if (end < 0) end = length;
      i = end;
    }
    switch (field) {
      case 0:
        clientStart = start;
        clientEnd = end;
        break;
      case 3:
        dateStart = start;
        dateEnd = end;
        break;
      case 4:
        requestStart = start;
        requestEnd = end;
        break;
      case 5:
        statusStart = start;
        statusEnd = end;
        break;
      case 6:
        bytesStart = start;
        bytesEnd = end;
        break;
    }
    field++;
    if (field < FIELDS) {
      if (text.charCodeAt(i) !== 44 /* , */) return 'wrong number of fields';
      i++;
    }
  }
  if (i < length && text.charCodeAt(i) !== 44) return 'wrong number of fields';

  if (clientEnd - clientStart === 10 && text.startsWith('remotehost', clientStart)) return 'skip';
  if (clientEnd <= clientStart || clientEnd - clientStart > MAX_CLIENT_LENGTH) return 'bad client field';
  for (let k = clientStart; k < clientEnd; k++)
    if (!isClientChar(text.charCodeAt(k))) return 'bad client field';
  const time = parseDigits(text, dateStart, dateEnd);
  if (time < 0) return 'bad timestamp';
  const status = parseDigits(text, statusStart, statusEnd);
  if (status < 100 || status > 999) return 'bad status';
  const bytes = parseBytes(text, bytesStart, bytesEnd);
  if (bytes < 0) return 'bad bytes';
  out.client = text.slice(clientStart, clientEnd);
  out.time = time;
  out.section = sectionOfRequest(text, requestStart, requestEnd);
  out.status = status;
  out.bytes = bytes;
  return 'ok';
}
