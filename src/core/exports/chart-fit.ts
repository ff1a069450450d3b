/**
 * Category labels that all show. A category axis whose labels do not fit side by side turns them
 * (30°, 45°, upright when the slots are narrower still); a bar chart with more than 12 such labels
 * lays its bars along the y axis instead, unless the user said `horizontal: false`;
 * `labelRotation` sets the angle. Widths are estimated (~7 px a character at 12 px): the chart
 * builder is browser-safe and cannot measure fonts, so the estimate errs wide.
 */

const CHAR = 7;
const LINE = 14;
/** Above this many categories, labels that do not fit turn a bar chart horizontal. */
export const HORIZONTAL_PAST = 12;
/** What the value axis, its name and the grid's margins take from the plot, in px. */
const VALUE_AXIS_WIDTH = 90;
const VALUE_AXIS_HEIGHT = 70;

export interface CategoryFit {
  horizontal: boolean;
  axisLabel: Record<string, unknown>;
}

export interface FitRequest {
  bar: boolean;
  /** `options.horizontal`: true forces bars along the y axis, false forbids it, else automatic. */
  horizontal: unknown;
  /** `options.labelRotation`, degrees. */
  rotation: unknown;
}

/** Every label shown, each cut with an ellipsis past `width` px (or wrapped, with room for lines). */
const every = (width: number, overflow: 'truncate' | 'break' = 'truncate') => ({
  interval: 0,
  hideOverlap: false,
  width,
  overflow,
});

function horizontalFit(count: number, frame: { width: number; height: number }): CategoryFit {
  const slot = Math.max(1, frame.height - VALUE_AXIS_HEIGHT) / Math.max(1, count);
  // Rows narrower than a line of text take a smaller font rather than leaving labels out.
  const fontSize = slot >= LINE ? undefined : Math.max(8, Math.floor(slot * 0.85));
  return {
    horizontal: true,
    axisLabel: {
      ...every(Math.max(60, frame.width * 0.45), slot >= 2 * LINE ? 'break' : 'truncate'),
      ...(fontSize && { fontSize }),
    },
  };
}

export function fitCategories(
  categories: readonly string[],
  request: FitRequest,
  frame: { width: number; height: number },
): CategoryFit {
  const count = Math.max(1, categories.length);
  if (request.bar && request.horizontal === true) return horizontalFit(count, frame);
  const rotation =
    typeof request.rotation === 'number' && Number.isFinite(request.rotation)
      ? Math.max(-90, Math.min(90, request.rotation))
      : undefined;
  const slot = Math.max(1, frame.width - VALUE_AXIS_WIDTH) / count;
  const widest = Math.max(0, ...categories.map((label) => label.length)) * CHAR;
  // A turned label reaches down less than half the chart's height; a flat one fills its slot.
  const turned = (angle: number) =>
    every(
      angle === 0
        ? Math.max(30, slot - 4)
        : Math.max(60, (frame.height * 0.4) / Math.abs(Math.sin((angle * Math.PI) / 180))),
    );
  if (rotation !== undefined)
    return { horizontal: false, axisLabel: { ...turned(rotation), rotate: rotation } };
  if (widest + 8 <= slot) return { horizontal: false, axisLabel: { interval: 0, hideOverlap: false } };
  if (request.bar && request.horizontal !== false && count > HORIZONTAL_PAST)
    return horizontalFit(count, frame);
  if (!request.bar && slot < LINE) {
    // Points too many to label each (a long time series): ECharts labels every n-th.
    return { horizontal: false, axisLabel: { hideOverlap: true } };
  }
  // Turned labels stand apart when the slot holds a line of text across the angle.
  const angle = slot >= LINE / Math.sin(Math.PI / 6) ? 30 : slot >= LINE / Math.sin(Math.PI / 4) ? 45 : 90;
  const fontSize = slot >= LINE ? undefined : Math.max(8, Math.floor(slot * 0.85));
  return {
    horizontal: false,
    axisLabel: { ...turned(angle), rotate: angle, ...(fontSize && { fontSize }) },
  };
}
