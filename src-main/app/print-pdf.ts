// PDF reports in the Electron app: the report's HTML (self-contained: inline
// styles, images as data: URIs, its own strict CSP) is written to a private
// temporary folder, loaded into a hidden window with JavaScript off, and
// printed with Chromium's webContents.printToPDF. A file rather than a data:
// URL because a report with its photograph passes Chromium's 2 MB URL limit.
// The window comes in through a small interface (test/app/print-pdf.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PrintToPdf } from '../core/api/handlers';
import { writeFileAtomic } from '../core/fs/atomic';

/** A hidden page that can print itself; main.ts makes one from a BrowserWindow. */
export interface HiddenPage {
  loadFile(file: string): Promise<void>;
  printToPdf(): Promise<Uint8Array>;
  close(): void;
}

export function createPrintToPdf(openPage: () => HiddenPage, tmpRoot: string = os.tmpdir()): PrintToPdf {
  return async (html, file) => {
    const dir = fs.mkdtempSync(path.join(tmpRoot, 'glaucoma-studio-report-'));
    let page: HiddenPage | null = null;
    try {
      const source = path.join(dir, 'report.html');
      fs.writeFileSync(source, html, { mode: 0o600 });
      page = openPage();
      await page.loadFile(source);
      const pdf = await page.printToPdf();
      writeFileAtomic(file, pdf);
    } finally {
      page?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}
