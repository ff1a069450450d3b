import { describe, expect, it } from 'vitest';
import { pageSize, placeGrid } from './layout.ts';
import { parseRichText, wrapRichText } from './rich-text.ts';

const geometry = { width: 1200, pageHeight: 500, firstPageTop: 0, rowHeight: 40, gap: 8 };

describe('placeGrid', () => {
  it('maps the 12-column grid to points and keeps a row of widgets on one page', () => {
    const placed = placeGrid(
      [
        { widgetId: 'a', x: 0, y: 0, w: 3, h: 4 },
        { widgetId: 'b', x: 3, y: 0, w: 9, h: 4 },
        { widgetId: 'c', x: 0, y: 4, w: 12, h: 4 },
        { widgetId: 'd', x: 0, y: 8, w: 6, h: 6 },
        { widgetId: 'e', x: 6, y: 8, w: 6, h: 2 },
      ],
      geometry,
    );
    const byId = Object.fromEntries(placed.cells.map((c) => [c.widgetId, c]));
    expect(byId.a).toMatchObject({ page: 0, x: 0, y: 0, h: 152 });
    expect(byId.b.x).toBeCloseTo((1200 + 8) / 4);
    expect(byId.c).toMatchObject({ page: 0, y: 160 });
    expect(byId.d).toMatchObject({ page: 1, y: 0 });
    expect(byId.e).toMatchObject({ page: 1, y: 0 });
    expect(placed.pageCount).toBe(2);
  });

  it('lets a table start on the page when enough of it fits, and lays everything on one page without a height', () => {
    const cells = [
      { widgetId: 'chart', x: 0, y: 0, w: 12, h: 8 },
      { widgetId: 'table', x: 0, y: 8, w: 12, h: 6 },
    ];
    const split = placeGrid(cells, { ...geometry, splittable: (id) => id === 'table' });
    expect(split.pageCount).toBe(1);
    expect(split.cells[1].h).toBe(500 - 320 - 8);
    const tall = placeGrid(cells, { ...geometry, pageHeight: Number.POSITIVE_INFINITY });
    expect(tall.pageCount).toBe(1);
    expect(tall.bottom).toBe(14 * 40 - 8);
  });

  it('knows A4 landscape', () => {
    expect(pageSize()).toEqual({ width: 841.89, height: 595.28 });
  });
});

describe('rich text subset', () => {
  it('keeps the documented tags, drops the rest and unsafe colors', () => {
    const blocks = parseRichText(
      '<h1>Title &amp; more</h1><p>Plain <b>bold</b> <em>it</em> <span style="color: #c00">red</span>' +
        '<span style="color: url(x)">safe</span><br>next <a href="x">link</a></p><script>alert(1)</script><div>loose</div>',
    );
    expect(blocks.map((b) => b.tag)).toEqual(['h1', 'p', 'p']);
    expect(blocks[0].spans).toEqual([{ text: 'Title & more', bold: true, italic: false, color: undefined }]);
    const spans = blocks[1].spans;
    expect(spans.find((s) => s.text === 'bold')?.bold).toBe(true);
    expect(spans.find((s) => s.text === 'it')?.italic).toBe(true);
    expect(spans.find((s) => s.text === 'red')?.color).toBe('#c00');
    expect(spans.find((s) => s.text === 'safe')?.color).toBeUndefined();
    expect(spans.some((s) => s.text === '\n')).toBe(true);
    expect(spans.map((s) => s.text).join('')).not.toContain('alert');
    expect(blocks[2].spans[0].text).toBe('loose');
  });

  it('wraps words to the width', () => {
    const lines = wrapRichText(parseRichText('<p>one two three four five six seven eight nine ten</p>'), 80);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      const last = line.segments[line.segments.length - 1];
      expect(last.x).toBeLessThan(80);
    }
  });
});
