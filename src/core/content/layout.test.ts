import { describe, expect, it } from 'vitest';
import { completeLayout, firstFreeSpace } from './layout.ts';
import type { Widget } from './types.ts';

const chart = (id: string): Widget => ({
  id,
  title: id,
  query: null,
  visualization: { type: 'bar', options: {} },
});

describe('placing new widgets', () => {
  it('takes the first free space that fits, reading rows from the top left', () => {
    expect(firstFreeSpace([], 6, 4)).toEqual({ x: 0, y: 0, w: 6, h: 4 });
    // A hole left by a removed widget on the right of the first row.
    expect(firstFreeSpace([{ x: 0, y: 0, w: 6, h: 4 }], 6, 4)).toEqual({ x: 6, y: 0, w: 6, h: 4 });
    const full = [
      { x: 0, y: 0, w: 6, h: 4 },
      { x: 6, y: 0, w: 6, h: 2 },
    ];
    // 6×4 does not fit beside the short cell: it goes under it only where nothing overlaps.
    expect(firstFreeSpace(full, 6, 4)).toEqual({ x: 6, y: 2, w: 6, h: 4 });
    expect(firstFreeSpace([{ x: 0, y: 0, w: 12, h: 3 }], 12, 2)).toEqual({ x: 0, y: 3, w: 12, h: 2 });
  });

  it('fills gaps before adding rows when a widget comes without a cell', () => {
    const widgets = [chart('a'), chart('b'), chart('c')];
    const layout = [
      { widgetId: 'a', x: 0, y: 0, w: 6, h: 4 },
      { widgetId: 'b', x: 0, y: 4, w: 12, h: 4 },
    ];
    expect(completeLayout(widgets, layout, false)[2]).toEqual({ widgetId: 'c', x: 6, y: 0, w: 6, h: 4 });
  });
});
