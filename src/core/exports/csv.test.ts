import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonScalar, RowStream } from '../../engines/types.ts';
import { measureCsvExport, writeCsv } from './csv.ts';
import { syntheticRowStream } from './samples.ts';

const dir = mkdtempSync(join(tmpdir(), 'rosetta-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function streamOf(rows: JsonScalar[][], names = ['a', 'b', 'c']): RowStream {
  async function* batches() {
    yield rows.slice(0, 1);
    yield rows.slice(1);
  }
  return { columns: names.map((name) => ({ name, type: 'string' as const })), batches: batches() };
}

describe('writeCsv', () => {
  it('escapes quotes, delimiters, line breaks and writes null as empty', async () => {
    const file = join(dir, 'escape.csv');
    const rows = [
      ['plain', 'say "hi"', null],
      ['a,b', 'line\nbreak', 'cr\rlf'],
      [1.5, true, '2024-01-02'],
    ];
    const result = await writeCsv(streamOf(rows, ['a', 'b "c"', 'd']), file);
    expect(result.rows).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe(
      'a,"b ""c""",d\r\nplain,"say ""hi""",\r\n"a,b","line\nbreak","cr\rlf"\r\n1.5,true,2024-01-02\r\n',
    );
    expect(result.bytes).toBe(readFileSync(file).length);
  });

  it('quote-prefixes text cells and names that start like a formula, numbers never', async () => {
    const stream = (): RowStream => ({
      columns: [
        { name: '=name', type: 'string' },
        { name: 'big', type: 'integer' },
        { name: 'amount', type: 'number' },
      ],
      batches: (async function* () {
        yield [
          ['=HYPERLINK("http://evil")', '-9007199254740993', -5],
          ['-5', '1', '-Infinity'],
          ['+1', null, 1],
          ['@SUM(A1)', null, null],
          ['\tx', null, null],
          ['\rx', null, null],
          ['=a,b', null, null],
          ["'already", null, null],
          ['', null, null],
        ];
      })(),
    });
    const escaped = join(dir, 'formulas.csv');
    await writeCsv(stream(), escaped);
    expect(readFileSync(escaped, 'utf8')).toBe(
      [
        "'=name,big,amount",
        `"'=HYPERLINK(""http://evil"")",-9007199254740993,-5`,
        "'-5,1,-Infinity",
        "'+1,,1",
        "'@SUM(A1),,",
        "'\tx,,",
        `"'\rx",,`,
        `"'=a,b",,`,
        "'already,,",
        ',,',
        '',
      ].join('\r\n'),
    );
    const raw = join(dir, 'formulas-raw.csv');
    await writeCsv(stream(), raw, { escapeFormulas: false });
    expect(readFileSync(raw, 'utf8').split('\r\n').slice(0, 3)).toEqual([
      '=name,big,amount',
      '"=HYPERLINK(""http://evil"")",-9007199254740993,-5',
      '-5,1,-Infinity',
    ]);
  });

  it('takes another delimiter, no header and \\n line endings', async () => {
    const file = join(dir, 'semicolon.csv');
    await writeCsv(streamOf([['a,b', 'c;d', '']]), file, { delimiter: ';', header: false, lineEnding: '\n' });
    expect(readFileSync(file, 'utf8')).toBe('a,b;"c;d";\n');
    await writeCsv(streamOf([['x\ty', 'z', null]]), join(dir, 'tab.csv'), { delimiter: '\t' });
    expect(readFileSync(join(dir, 'tab.csv'), 'utf8')).toBe('a\tb\tc\r\n"x\ty"\tz\t\r\n');
  });

  it('refuses a delimiter that cannot work', async () => {
    await expect(writeCsv(streamOf([]), join(dir, 'bad.csv'), { delimiter: '"' })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'delimiter',
    });
  });

  it('waits for a slow writable (backpressure) and ends it', async () => {
    let received = '';
    let ended = false;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, _encoding, done) {
        received += chunk.toString();
        setTimeout(done, 1);
      },
      final(done) {
        ended = true;
        done();
      },
    });
    const result = await writeCsv(syntheticRowStream(50_000, 1000), slow);
    expect(result.rows).toBe(50_000);
    expect(ended).toBe(true);
    expect(received.split('\r\n')).toHaveLength(50_002);
  });

  it('streams 2 million rows with resident memory growth under 150 MB', async () => {
    const file = join(dir, 'big.csv');
    const result = await measureCsvExport(syntheticRowStream(2_000_000), file);
    const growthMb = result.peakRssGrowthBytes / 2 ** 20;
    console.log(
      `CSV 2M rows: ${result.seconds.toFixed(2)} s, ${Math.round(result.rowsPerSecond).toLocaleString()} rows/s, ` +
        `${(result.bytes / 2 ** 20).toFixed(0)} MB written, peak RSS growth ${growthMb.toFixed(1)} MB`,
    );
    expect(result.rows).toBe(2_000_000);
    expect(growthMb).toBeLessThan(150);
  });
});
