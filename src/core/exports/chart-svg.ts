/**
 * Charts on the server: ECharts server-side SVG from the same options the web UI uses, with the
 * export fonts measuring text, and text split into per-font runs for svg-to-pdfkit.
 */
import * as echarts from 'echarts';
import { type ChartResult, type ChartVisualization, chartOption } from './chart-options.ts';
import { fontFamily, MAIN_FAMILY, type MissingGlyphs, measureCssFont, textRuns } from './fonts.ts';
import { escapeXml } from './rich-text.ts';

let platformSet = false;

export function renderChartSvg(
  visualization: ChartVisualization,
  result: ChartResult,
  width: number,
  height: number,
): string {
  if (!platformSet) {
    // Labels are laid out with the widths of the fonts that will draw them, not a guess.
    echarts.setPlatformAPI({ measureText: (text: string, font?: string) => measureCssFont(text, font) });
    platformSet = true;
  }
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(chartOption(visualization, result, { width, height, fontFamily: MAIN_FAMILY }));
    return chart.renderToSVGString();
  } finally {
    // An undisposed SSR instance keeps timers and memory alive.
    chart.dispose();
  }
}

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, name: string) =>
    name === 'amp' ? '&' : name === 'lt' ? '<' : name === 'gt' ? '>' : name === 'quot' ? '"' : "'",
  );
}

/**
 * svg-to-pdfkit draws a text element in one font, so text needing other fonts (Devanagari, CJK)
 * becomes tspans naming the font of each run; characters no font has are recorded.
 */
export function splitSvgTextRuns(svg: string, missing: MissingGlyphs): string {
  return svg.replace(
    /(<text\b[^>]*>)([^<]*)(<\/text>)/g,
    (whole, open: string, content: string, close: string) => {
      const text = unescapeXml(content);
      const bold = /font-weight:\s*(bold|[6-9]00)/.test(open);
      const runs = textRuns(text, 12, bold ? 'bold' : 'regular', missing);
      if (runs.every((run) => fontFamily(run.font) === MAIN_FAMILY)) return whole;
      const spans = runs.map(
        (run) => `<tspan style="font-family:${fontFamily(run.font)}">${escapeXml(run.text)}</tspan>`,
      );
      return `${open}${spans.join('')}${close}`;
    },
  );
}
