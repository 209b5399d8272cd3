import { execFileSync } from 'node:child_process';

/**
 * A PDF's text as poppler's `pdftotext -layout` reads it (Debian poppler-utils): a file's
 * path, or the bytes themselves. Bidirectional marks it adds around right-to-left runs are
 * dropped, so a test compares words.
 */
export function pdfText(pdf: string | Uint8Array): string {
  const text =
    typeof pdf === 'string'
      ? execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
      : execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf, encoding: 'utf8' });
  return text.replace(/[\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '');
}

/** The fonts a PDF uses, as `pdffonts` lists them: name and whether it is embedded. */
export function pdfFonts(pdf: Uint8Array): { name: string; embedded: boolean }[] {
  const listed = execFileSync('pdffonts', ['-'], { input: pdf, encoding: 'utf8' });
  return listed
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const columns = line.trim().split(/\s+/);
      // name type [encoding …] emb sub uni object ID: "emb" is the fifth from the end.
      return { name: columns[0] ?? '', embedded: columns.at(-5) === 'yes' };
    });
}
