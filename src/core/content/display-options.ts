import { validationError } from '../errors.ts';
import { HEX_COLOR, legendPlacements } from '../exports/chart-display.ts';
import { MAX_DECIMALS, numberFormats } from '../exports/present.ts';
import { fieldPath, finiteNumber, integer, type JsonObject, list, oneOf, record, text } from '../input.ts';

const flag = (field: string, value: unknown) => {
  if (typeof value !== 'boolean') throw validationError(field, 'must be true or false');
};

/** The checks of the display options Rosetta draws with, by key. */
const checks: Record<string, (field: string, value: unknown) => void> = {
  format: (f, v) => oneOf(f, v, numberFormats),
  currency: (f, v) => {
    if (!/^[A-Za-z]{3}$/.test(text(f, v, 3)))
      throw validationError(f, 'must be an ISO 4217 code such as EUR');
  },
  decimals: (f, v) => integer(f, v, 0, MAX_DECIMALS),
  prefix: (f, v) => text(f, v, 20),
  suffix: (f, v) => text(f, v, 20),
  xTitle: (f, v) => text(f, v, 255),
  yTitle: (f, v) => text(f, v, 255),
  dataLabels: flag,
  horizontal: flag,
  colors: (f, v) =>
    list(f, v, 50, (at, color) => {
      if (typeof color !== 'string' || !HEX_COLOR.test(color))
        throw validationError(at, 'must be a hex colour such as #1f77b4');
    }),
  goal: (f, v) => {
    const goal = record(f, v, ['value', 'label']);
    finiteNumber(fieldPath(f, 'value'), goal.value);
    if (goal.label !== undefined) text(fieldPath(f, 'label'), goal.label, 100);
  },
  labelRotation: (f, v) => integer(f, v, -90, 90),
  legend: (f, v) => oneOf(f, v, legendPlacements),
  hiddenSeries: (f, v) => list(f, v, 1000, (at, name) => text(at, name, 1000)),
};

/**
 * Checks the display options of a visualization (`options`, at `field`): number format, axis
 * titles, data labels, colours, goal, label rotation, legend, hidden series. `null` leaves one
 * unset. Other keys pass as they are: chart axes, KPI and text settings, and what other clients
 * keep there.
 */
export function checkDisplayOptions(field: string, options: JsonObject): void {
  for (const [key, check] of Object.entries(checks)) {
    const value = options[key];
    if (value !== undefined && value !== null) check(fieldPath(field, key), value);
  }
}
