import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicFile {
  /** Path of the temporary file being written. */
  readonly temporaryPath: string;
  write(text: string): void;
  /** Makes the file durable and puts it in place of `path` in one step. */
  commit(): void;
  /** Removes the temporary file; `path` is left as it was. Never throws. */
  discard(): void;
}

/**
 * A file written next to its destination under a temporary name and renamed
 * over it once complete, so the destination holds either its old content or
 * the whole new one, never a half-written file. A destination that is a
 * symbolic link is replaced by the file (the link's target is left alone).
 */
export function createAtomicFile(path: string): AtomicFile {
  const temporaryPath = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = openSync(temporaryPath, 'wx');
  const close = (): void => {
    if (fd === null) return;
    const open = fd;
    fd = null;
    closeSync(open);
  };
  return {
    temporaryPath,
    write(text) {
      if (fd === null) throw new Error('the file is already committed or discarded');
      // A string is written as it is (no Buffer copy of each piece left for the GC); a
      // short write, which a regular file does not make, falls back to the bytes left.
      const length = Buffer.byteLength(text);
      const written = writeSync(fd, text, null, 'utf8');
      if (written < length) {
        const bytes = Buffer.from(text, 'utf8');
        for (let at = written; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
      }
    },
    commit() {
      if (fd === null) throw new Error('the file is already committed or discarded');
      fsyncSync(fd);
      close();
      renameSync(temporaryPath, path);
      syncDirectory(dirname(path));
    },
    discard() {
      try {
        close();
      } catch {
        // Being thrown away: whatever closing it says (the disk full, say) changes nothing.
      }
      try {
        unlinkSync(temporaryPath);
      } catch {
        // Already gone.
      }
    },
  };
}

/** So the rename itself survives a power cut. Not every platform can open a directory: there it is skipped. */
function syncDirectory(directory: string): void {
  let fd: number;
  try {
    fd = openSync(directory, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory.
  } finally {
    closeSync(fd);
  }
}
