// PDF printing over a fake hidden page: the HTML is loaded from a private
// temporary file, the PDF lands at the target, and the page and the temporary
// folder are gone afterwards, also when printing fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrintToPdf, type HiddenPage } from '../../src-main/app/print-pdf';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-pdf-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fakePage(fail: boolean) {
  const seen = { loaded: '', html: '', closed: false };
  const page: HiddenPage = {
    loadFile: async (file) => {
      seen.loaded = file;
      seen.html = fs.readFileSync(file, 'utf8');
    },
    printToPdf: async () => {
      if (fail) throw new Error('printing failed');
      return new TextEncoder().encode(`%PDF-1.7 of ${seen.html.length} chars`);
    },
    close: () => {
      seen.closed = true;
    },
  };
  return { page, seen };
}

describe('createPrintToPdf', () => {
  it('prints the HTML into the target file and cleans up', async () => {
    const { page, seen } = fakePage(false);
    const scratch = path.join(tmp, 'scratch');
    fs.mkdirSync(scratch);
    const target = path.join(tmp, 'reports', 'P001_OD-report.pdf');
    await createPrintToPdf(() => page, scratch)('<html>report</html>', target);
    expect(seen.html).toBe('<html>report</html>');
    expect(path.dirname(path.dirname(seen.loaded))).toBe(scratch);
    expect(fs.readFileSync(target, 'utf8')).toBe('%PDF-1.7 of 19 chars');
    expect(seen.closed).toBe(true);
    expect(fs.readdirSync(scratch)).toEqual([]);
  });

  it('closes the page, removes the temporary file and writes nothing when printing fails', async () => {
    const { page, seen } = fakePage(true);
    const scratch = path.join(tmp, 'scratch');
    fs.mkdirSync(scratch);
    const target = path.join(tmp, 'report.pdf');
    await expect(createPrintToPdf(() => page, scratch)('<html></html>', target)).rejects.toThrow('printing failed');
    expect(seen.closed).toBe(true);
    expect(fs.readdirSync(scratch)).toEqual([]);
    expect(fs.existsSync(target)).toBe(false);
  });
});
