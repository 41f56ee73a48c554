// Which file the tailer is reading: device + inode + a hash of the first line, so a file that was
// rotated away (renamed) is recognised in its new place, and a new file at the old path is not
// mistaken for the old one.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type FileIdentity, fileIdOf } from '../../domain/access-log/types';

const HEAD_BYTES = 256;

/** The identity of an open file, or null while it has no complete first line. */
/** `wholeFile`: the file is complete (--until-eof), so a first line without newline is final. */
export async function identify(handle: FileHandle, wholeFile = false): Promise<FileIdentity | null> {
  const info = await handle.stat();
  const buffer = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
  if (bytesRead === 0) return null;
  const newline = buffer.subarray(0, bytesRead).indexOf(10);
  // A first line longer than HEAD_BYTES: its first HEAD_BYTES bytes never change either.
  if (newline < 0 && bytesRead < HEAD_BYTES && !wholeFile) return null;
  const head = buffer.subarray(0, newline < 0 ? bytesRead : newline);
  return {
    dev: info.dev,
    ino: info.ino,
    head: createHash('sha256').update(head).digest('hex').slice(0, 16),
  };
}

/** Looks in the directory of `file` for a rotated file with identity `fileId` (e.g. access.log.1). */
export async function findRotated(file: string, fileId: string): Promise<string | null> {
  const dir = path.dirname(file);
  const [dev, ino] = fileId.split(':');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    const candidate = path.join(dir, name);
    try {
      const info = await stat(candidate);
      if (!info.isFile() || String(info.dev) !== dev || String(info.ino) !== ino) continue;
      const handle = await open(candidate, 'r');
      try {
        const identity = await identify(handle);
        if (identity && fileIdOf(identity) === fileId) return candidate;
      } finally {
        await handle.close();
      }
    } catch {
      // vanished or unreadable: not it
    }
  }
  return null;
}
