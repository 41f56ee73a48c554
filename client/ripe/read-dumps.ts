// Reads RIPE database split dumps (plain or gzip, recognised by their first bytes) line by line
// into the contact collector: one chunk and one object in memory at a time per file.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { RipeContactCollector, type RipePlan } from '../../domain/ripe/contacts';
import { RpslReader } from '../../domain/ripe/rpsl';
import { UserError } from '../errors';
import { LineSplitter } from '../monitor/line-splitter';

/** No RPSL line comes near this; a longer one is refused unread (its object is skipped). */
const MAX_LINE_BYTES = 64 * 1024;

async function isGzip(file: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    if (!(await handle.stat()).isFile()) throw new UserError(`${file}: not a file`);
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  } finally {
    await handle?.close();
  }
}

export async function readDump(file: string, collector: RipeContactCollector): Promise<void> {
  const gzip = await isGzip(file);
  const reader = new RpslReader(
    (object) => collector.add(file, object),
    (problem) => collector.problem(file, problem),
  );
  const splitter = new LineSplitter(0, MAX_LINE_BYTES);
  let line = 0;
  let offset = 0;
  const sink = (text: string | null) => {
    line++;
    if (text === null) reader.refuse(line, `line longer than ${MAX_LINE_BYTES} bytes`);
    else reader.line(text, line);
  };
  const consume = async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      splitter.push(chunk, offset, sink);
      offset += chunk.length;
    }
  };
  try {
    if (gzip) await pipeline(createReadStream(file), createGunzip(), consume);
    else await pipeline(createReadStream(file), consume);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_'))
      throw new UserError(`${file}: not a valid gzip file (${(error as Error).message})`);
    throw new UserError(`${file}: cannot read (${code || (error as Error).message})`);
  }
  splitter.finish(offset, sink);
  reader.end();
}

/** The class of the file's first object, from its first 64 KiB; null if none is found there. */
async function firstClass(file: string): Promise<string | null> {
  const gzip = await isGzip(file);
  const source = createReadStream(file, { end: 64 * 1024 - 1 });
  const stream = gzip ? source.pipe(createGunzip()) : source;
  let text = '';
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString('utf8');
      const match = /^([A-Za-z0-9][A-Za-z0-9_-]*):/m.exec(text);
      if (match) return match[1]!.toLowerCase();
    }
  } catch {
    // A truncated head is expected (only 64 KiB are read); the full read reports real errors.
  } finally {
    source.destroy();
    stream.destroy();
  }
  return null;
}

/**
 * Every file through one collector, then the resolved plan. Any order gives the same plan; roles
 * and organisations first lets each range be resolved as it is read instead of waiting in memory.
 */
export async function readDumps(
  files: readonly string[],
  options: { countries?: string[] } = {},
): Promise<RipePlan> {
  const collector = new RipeContactCollector(options);
  const contactsFirst = await Promise.all(
    files.map(async (file) => {
      const cls = await firstClass(file);
      return { file, rank: cls === 'role' || cls === 'organisation' ? 0 : 1 };
    }),
  );
  contactsFirst.sort((a, b) => a.rank - b.rank);
  for (const { file } of contactsFirst) await readDump(file, collector);
  return collector.finish();
}
