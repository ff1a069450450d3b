/**
 * A ZIP archive writer, just enough for export bundles (one CSV per chart tile): deflated entries,
 * no ZIP64, so an archive and each entry stay under 4 GiB (the exports' row cap keeps them far
 * below). Written with node:zlib rather than a dependency: the format's needs here are small.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** The name inside the archive; made unique by the caller. */
  name: string;
  path: string;
}

const LIMIT = 0xffff_ffff;
/** Bit 11: names are UTF-8. */
const UTF8_FLAG = 0x0800;
const DEFLATE = 8;

/** MS-DOS time and date of `date` (local fields, as unzip tools read them). */
function dosTime(date: Date): { time: number; day: number } {
  const time = (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2);
  const day =
    ((Math.max(date.getFullYear(), 1980) - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  return { time, day };
}

/** Writes `entries` (files on disk) into a new archive at `target`; returns its size in bytes. */
export async function writeZip(entries: readonly ZipEntry[], target: string, now: Date): Promise<number> {
  const { time, day } = dosTime(now);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = await readFile(entry.path);
    const packed = deflateRawSync(data);
    const name = Buffer.from(entry.name, 'utf8');
    if (data.length > LIMIT || offset + packed.length > LIMIT)
      throw new Error('the archive would exceed 4 GiB, which this writer does not support');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(UTF8_FLAG, 6);
    local.writeUInt16LE(DEFLATE, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(day, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(UTF8_FLAG, 8);
    header.writeUInt16LE(DEFLATE, 10);
    header.writeUInt16LE(time, 12);
    header.writeUInt16LE(day, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(packed.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    parts.push(local, name, packed);
    central.push(header, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  const archive = Buffer.concat([...parts, directory, end]);
  await writeFile(target, archive);
  return archive.length;
}
