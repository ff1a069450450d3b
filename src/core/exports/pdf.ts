/**
 * PDF back end: draws composed pages with pdfkit, charts through svg-to-pdfkit. Every export
 * font is registered and named per text run, because pdfkit has no fallback between fonts and
 * svg-to-pdfkit would otherwise fall back to Helvetica and drop non-Latin text.
 */
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { composeDashboard } from './compose.ts';
import { ALL_FONTS, fontData, fontForFamily } from './fonts.ts';
import type { Page } from './scene.ts';
import type { DashboardRenderSpec, RenderOptions, RenderOutput } from './types.ts';

function drawPage(doc: PDFKit.PDFDocument, page: Page): void {
  for (const shape of page.shapes) {
    if (shape.kind === 'rect') {
      const path = shape.radius
        ? doc.roundedRect(shape.x, shape.y, shape.w, shape.h, shape.radius)
        : doc.rect(shape.x, shape.y, shape.w, shape.h);
      doc.lineWidth(0.75);
      if (shape.fill && shape.stroke) path.fillAndStroke(shape.fill, shape.stroke);
      else if (shape.fill) path.fill(shape.fill);
      else if (shape.stroke) path.stroke(shape.stroke);
    } else if (shape.kind === 'line') {
      doc.moveTo(shape.x1, shape.y1).lineTo(shape.x2, shape.y2).lineWidth(shape.width).stroke(shape.stroke);
    } else if (shape.kind === 'text') {
      let x = shape.x;
      doc.fillColor(shape.color).fontSize(shape.size);
      for (const run of shape.runs) {
        doc.font(run.font).text(run.text, x, shape.y, { lineBreak: false, baseline: 'alphabetic' });
        x += run.width;
      }
    } else {
      SVGtoPDF(doc, shape.svg, shape.x, shape.y, {
        width: shape.w,
        height: shape.h,
        fontCallback: (family, bold, italic) => fontForFamily(family, bold, italic),
        // Unsupported SVG features are ECharts' interactivity hints; nothing to report.
        warningCallback: () => {},
      });
    }
  }
}

export async function renderPdf(
  spec: DashboardRenderSpec,
  options: RenderOptions = {},
): Promise<RenderOutput> {
  const { pages, warnings } = composeDashboard(spec, options, 'pdf');
  const doc = new PDFDocument({
    autoFirstPage: false,
    margin: 0,
    info: { Title: spec.title, Producer: 'Rosetta' },
  });
  // Registration is lazy in pdfkit: a font is parsed and embedded (as a subset) only when used.
  for (const key of ALL_FONTS) doc.registerFont(key, fontData(key));
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  for (const page of pages) {
    doc.addPage({ size: [page.width, page.height], margin: 0 });
    drawPage(doc, page);
  }
  doc.end();
  await ended;
  return { data: Buffer.concat(chunks), warnings, pages: pages.length };
}
