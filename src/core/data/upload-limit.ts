import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { fieldError, isRosettaError, type RosettaError, validationError } from '../errors.ts';

/**
 * The size cap of one upload, counted in decompressed bytes: a 99 KB gzip can expand to
 * gigabytes of CSV (26 million rows), so the compressed size says nothing. Gzip is always
 * inflated through a counting stream that stops at the cap, before anything is stored. The same
 * pass refuses NUL bytes in CSV text, which no text column of PostgreSQL can hold and which mean
 * the file is not UTF-8 (most often UTF-16).
 */

/** Default cap: 1 GiB (`ROSETTA_UPLOAD_MAX_MB`). */
export const DEFAULT_UPLOAD_MAX_BYTES = 1024 ** 3;

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 ** 2) * 100) / 100} MB`;

export const uploadTooLarge = (maxBytes: number): RosettaError =>
  fieldError(
    'ERR_LIMIT',
    'file',
    `larger than the upload limit of ${megabytes(maxBytes)} (compressed files count decompressed)`,
  );

/**
 * Passes bytes through, failing with ERR_LIMIT as soon as more than `maxBytes` went by, and
 * with ERR_VALIDATION on a NUL byte when the bytes are CSV text.
 */
function byteCap(maxBytes: number, text: boolean): Transform & { bytes: number } {
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const nul = text ? chunk.indexOf(0) : -1;
      if (nul >= 0) {
        const at = cap.bytes + nul;
        callback(validationError('file', `holds a NUL byte at byte ${at}: save the file as UTF-8 text`));
        return;
      }
      cap.bytes += chunk.length;
      callback(cap.bytes > maxBytes ? uploadTooLarge(maxBytes) : null, chunk);
    },
  }) as Transform & { bytes: number };
  cap.bytes = 0;
  return cap;
}

/** Errors of zlib and csv-parse on a corrupt file are the client's: a 400 on `file`. */
export function uploadError(error: unknown): unknown {
  if (isRosettaError(error)) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message;
  if (code.startsWith('Z_')) return validationError('file', `not readable as gzip: ${message}`);
  if (code.startsWith('CSV_')) return validationError('file', `not readable as CSV: ${message}`);
  return error;
}

/** Throws ERR_LIMIT when the (plain) file is larger than the cap. */
export async function checkFileSize(file: string, maxBytes: number): Promise<void> {
  if ((await stat(file)).size > maxBytes) throw uploadTooLarge(maxBytes);
}

const discard = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

/** A plain CSV file: at most `maxBytes`, and text without NUL (one read, from the page cache). */
export async function checkCsvFile(file: string, maxBytes: number): Promise<void> {
  await checkFileSize(file, maxBytes);
  await pipeline(createReadStream(file), byteCap(maxBytes, true), discard());
}

/** Inflates a gzip CSV file into `target`, stopping (and removing `target`) past `maxBytes`. */
export async function inflateFile(source: string, target: string, maxBytes: number): Promise<void> {
  try {
    await pipeline(
      createReadStream(source),
      createGunzip(),
      byteCap(maxBytes, true),
      createWriteStream(target),
    );
  } catch (error) {
    await rm(target, { force: true });
    throw uploadError(error);
  }
}

/**
 * The bytes of an uploaded CSV file as a reader consumes them: inflated when gzip, and failing
 * with ERR_LIMIT past `maxBytes` (or ERR_VALIDATION on a NUL byte) either way. Put a parser
 * after them in one `pipeline`, whose failure goes through `uploadError`.
 */
export function uploadStages(
  file: string,
  gzip: boolean,
  maxBytes: number,
): [NodeJS.ReadableStream, ...NodeJS.ReadWriteStream[]] {
  const read = createReadStream(file);
  return gzip ? [read, createGunzip(), byteCap(maxBytes, true)] : [read, byteCap(maxBytes, true)];
}

/**
 * The first `headBytes` of a gzip file, once the whole of it has been inflated (and dropped)
 * through the cap: an upload is checked when it arrives, at the cost of one zlib pass.
 */
export async function gzipHead(file: string, maxBytes: number, headBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  const cap = byteCap(maxBytes, false);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (kept < headBytes) {
        chunks.push(chunk.subarray(0, headBytes - kept));
        kept += Math.min(chunk.length, headBytes - kept);
      }
      callback();
    },
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), cap, sink);
  } catch (error) {
    throw uploadError(error);
  }
  return Buffer.concat(chunks);
}
