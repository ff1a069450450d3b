import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { uploadError, uploadTooLarge } from '../../core/data/index.ts';
import { validationError } from '../../core/errors.ts';
import type { App } from '../server.ts';

/**
 * The one receiver of uploaded files for every face: the request body streams to a temp file
 * under `<filesDir>/uploads`, counted as it arrives and cut off with ERR_LIMIT (413) past
 * `maxBytes`, so no body is ever held in memory and a partial file never outlives a failure.
 */
export interface Upload {
  file: string;
  /** Bytes in `file`: as sent, or inflated when `gunzip` inflated them. */
  bytes: number;
  /** The body was gzip data (by its magic bytes, whatever the headers said). */
  gzipped: boolean;
}

export interface UploadOptions {
  /** Bodies land in `<filesDir>/uploads`, on the file system of the stores that move them. */
  filesDir: string;
  maxBytes: number;
  /**
   * Inflate a gzip body (counting inflated bytes against `maxBytes`); otherwise it is kept as
   * sent, named `.gz`, for a core that inflates it under its own cap.
   */
  gunzip?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The upload route's own cap, below its scope's `maxBytes`, for a core that keeps smaller
     * files (email attachments): the body is cut off there rather than refused once it landed.
     */
    uploadMaxBytes?: number;
  }
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** Passes bytes through, keeping the first two and failing with ERR_LIMIT past `maxBytes`. */
function meter(maxBytes: number): Transform & { bytes: number; head: Buffer } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      if (counter.head.length < GZIP_MAGIC.length)
        counter.head = Buffer.concat([counter.head, chunk.subarray(0, GZIP_MAGIC.length)]);
      callback(counter.bytes > maxBytes ? uploadTooLarge(maxBytes) : null, chunk);
    },
  }) as Transform & { bytes: number; head: Buffer };
  counter.bytes = 0;
  counter.head = Buffer.alloc(0);
  return counter;
}

/**
 * Receives `body`: the payload a content-type parser gets, so that what a face's `preParsing`
 * hooks decode (`Content-Encoding: gzip`) is what is stored and counted.
 */
export async function receiveUpload(body: Readable, options: UploadOptions): Promise<Upload> {
  const directory = join(options.filesDir, 'uploads');
  await mkdir(directory, { recursive: true });
  const base = join(directory, `upload-${randomUUID()}`);
  const partial = `${base}.part`;
  try {
    const received = meter(options.maxBytes);
    await pipeline(body, received, createWriteStream(partial));
    const gzipped = received.head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC);
    if (gzipped && options.gunzip) {
      const inflated = meter(options.maxBytes);
      await pipeline(createReadStream(partial), createGunzip(), inflated, createWriteStream(base));
      await rm(partial);
      return { file: base, bytes: inflated.bytes, gzipped };
    }
    const file = gzipped ? `${base}.gz` : base;
    await rename(partial, file);
    return { file, bytes: received.bytes, gzipped };
  } catch (error) {
    await Promise.all([rm(partial, { force: true }), rm(base, { force: true })]);
    throw uploadError(error);
  }
}

export const isUpload = (body: unknown): body is Upload =>
  typeof body === 'object' && body !== null && typeof (body as Upload).file === 'string';

/** The upload a route of a `rawBodyScope` received: a request without a body is a 400 on `file`. */
export function uploadOf(body: unknown): Upload {
  if (!isUpload(body)) throw validationError('file', 'send the file as the raw request body');
  return body;
}

/**
 * Takes bodies of `contentTypes` (`'*'`: any type) in `scope` as uploads: `request.body` becomes
 * the `Upload`, and its file is removed once the response is sent (success, error or abort), so
 * a route keeps it only by moving it.
 */
export function acceptUploads(
  scope: App,
  contentTypes: readonly string[] | '*',
  options: UploadOptions,
): void {
  for (const type of contentTypes === '*' ? ['*'] : contentTypes) {
    scope.addContentTypeParser(type, (request, payload, done) => {
      const routeCap = request.routeOptions.config.uploadMaxBytes ?? options.maxBytes;
      const maxBytes = Math.min(routeCap, options.maxBytes);
      receiveUpload(payload, { ...options, maxBytes }).then(
        (upload) => done(null, upload),
        (error: Error) => done(error),
      );
    });
  }
  scope.addHook('onResponse', async (request) => {
    if (isUpload(request.body)) await rm(request.body.file, { force: true });
  });
}

/**
 * A scope whose every body, whatever content type the client names (vendor clients often say
 * JSON for a CSV file), is an upload: register the upload routes inside it.
 */
export function rawBodyScope(scope: App, options: UploadOptions): void {
  scope.removeAllContentTypeParsers();
  acceptUploads(scope, '*', options);
}
