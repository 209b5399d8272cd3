/**
 * A QR code as inline SVG (no script, no style attribute: the console's CSP allows neither),
 * encoded by `qrcode-generator`. One square path per dark module on a white quiet zone, so
 * an authenticator app can scan it from the screen.
 */
import qrcode from 'qrcode-generator';
import { html, type SafeHtml } from './html.ts';

/** Modules of white around the code, as the standard asks. */
const QUIET_ZONE = 4;
/** Screen pixels per module: large enough for a phone camera at arm's length. */
const MODULE_PX = 5;

export function qrSvg(text: string, label: string): SafeHtml {
  // Error correction M: the usual choice for screens; the type grows with the text.
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const count = qr.getModuleCount();
  const size = count + 2 * QUIET_ZONE;
  const squares: string[] = [];
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (qr.isDark(row, col)) squares.push(`M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`);
    }
  }
  return html`<svg class="qr" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${label}" viewBox="0 0 ${size} ${size}" width="${size * MODULE_PX}" height="${size * MODULE_PX}" shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${squares.join('')}"/></svg>`;
}
