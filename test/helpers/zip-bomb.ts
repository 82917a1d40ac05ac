// An XLSX zip bomb for the fault tests: a small file whose sheet unzips to many MB.
import fs from 'node:fs';
import { strToU8, zipSync } from 'fflate';

/** A workbook whose one sheet unzips to `sheetBytes` of blank XML. */
export function xlsxBomb(file: string, sheetBytes: number): void {
  const sheet = new Uint8Array(sheetBytes).fill(0x20);
  sheet.set(strToU8('<worksheet><sheetData>'), 0);
  sheet.set(strToU8('</sheetData></worksheet>'), sheetBytes - 24);
  const zip = zipSync(
    {
      '_rels/.rels': strToU8('<Relationships><Relationship Id="rId1" Type="x/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
      'xl/workbook.xml': strToU8('<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
      'xl/_rels/workbook.xml.rels': strToU8('<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
      'xl/worksheets/sheet1.xml': sheet,
    },
    { level: 9 },
  );
  fs.writeFileSync(file, zip);
}
