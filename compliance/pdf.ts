/**
 * The report as a PDF (pdfkit), with an embedded CJK font so the Chinese text is real text, not
 * pictures: the Noto Sans SC face shipped by @expo-google-fonts/noto-sans-sc unless another font
 * file is given (a system's NotoSansCJK or WenQuanYi, say). pdfkit subsets the font.
 */
import PDFDocument from 'pdfkit';
import { existsSync } from 'node:fs';
import { CitySocError } from '../core/errors';
import type { Text } from './gb22239';
import { type ComplianceReport, STATUS_TEXT } from './report';

export function defaultPdfFont(): string {
  return require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
}

export function renderPdf(r: ComplianceReport, opts: { font?: string } = {}): Promise<Buffer> {
  const font = opts.font ?? defaultPdfFont();
  if (!existsSync(font)) throw new CitySocError('CONFIG_INVALID', `PDF font ${font} does not exist`);
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: r.title.en, Subject: r.title.zh, Creator: 'CitySOC' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font);
  doc.font('cjk');
  const both = (x: Text, size: number) => {
    doc.fontSize(size).fillColor('black').text(x.zh);
    doc
      .fontSize(size - 1)
      .fillColor('#555555')
      .text(x.en);
    doc.fillColor('black');
  };
  const e = r.evidence;
  both(r.title, 16);
  doc
    .moveDown(0.5)
    .fontSize(9)
    .text(`时段 Period: ${e.period.from ?? '—'} … ${e.period.to ?? '—'}`);
  doc.text(`生成时间 Generated: ${e.generatedAt}    部署形态 Profile: ${e.config.profile}`);
  doc.moveDown().fontSize(12).text('概要 Summary');
  doc.fontSize(9).text(`已证明 evidenced ${r.summary.met} · 部分证明 partly evidenced ${r.summary.partial} · 差距 gaps ${r.summary.gap}`);
  for (const i of r.items) doc.text(`${i.id}  ${i.area.zh} ${i.area.en}: ${STATUS_TEXT[i.status].zh} / ${STATUS_TEXT[i.status].en}`);
  for (const i of r.items) {
    doc.moveDown().fontSize(12).text(`${i.id} ${i.area.zh} ${i.area.en} — ${STATUS_TEXT[i.status].zh} / ${STATUS_TEXT[i.status].en}`);
    both(i.requirement, 9);
    doc.moveDown(0.3).fontSize(10).text('证据 Evidence');
    for (const x of i.evidence) both({ zh: `• ${x.zh}`, en: `  ${x.en}` }, 9);
    if (i.evidence.length === 0) doc.fontSize(9).text('—');
    doc.moveDown(0.3).fontSize(10).text('差距 Gaps');
    for (const x of i.gaps) both({ zh: `• ${x.zh}`, en: `  ${x.en}` }, 9);
    if (i.gaps.length === 0) doc.fontSize(9).text('—');
  }
  doc.end();
  return done;
}
