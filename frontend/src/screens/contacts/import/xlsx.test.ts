import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { columnIndex, dateStyles, isZip, previewXlsx, serialDate, sharedStrings } from './xlsx.ts';

/** A ZIP archive of `files` (deflated unless `stored`), as an .xlsx is one. */
function zip(files: Record<string, string>, stored = false): ArrayBuffer {
  const encoder = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBytes = encoder.encode(name);
    const raw = encoder.encode(text);
    const data = stored ? raw : new Uint8Array(deflateRawSync(raw));
    const local = new Uint8Array(30 + nameBytes.length + data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, stored ? 0 : 8, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, raw.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    local.set(data, 30 + nameBytes.length);
    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, stored ? 0 : 8, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, raw.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, centrals.length, true);
  ev.setUint16(10, centrals.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const all = new Uint8Array(offset + centralSize + 22);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    all.set(part, at);
    at += part.length;
  }
  return all.buffer;
}

const WORKBOOK = {
  'xl/workbook.xml':
    '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' +
    '<sheet name="Notes" sheetId="1" r:id="rId1"/><sheet name="Customers &amp; leads" sheetId="2" r:id="rId2"/></sheets></workbook>',
  'xl/_rels/workbook.xml.rels':
    '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>',
  'xl/sharedStrings.xml':
    '<sst><si><t>Email</t></si><si><r><t>First </t></r><r><t>name</t></r></si><si><t>ann@x.example</t><rPh><t>x</t></rPh></si><si><t xml:space="preserve">Zoë &lt;3</t></si></sst>',
  'xl/styles.xml':
    '<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/><numFmt numFmtId="165" formatCode="&quot;Day&quot; 0"/></numFmts>' +
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>',
  'xl/worksheets/sheet1.xml':
    '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Just notes</t></is></c></row></sheetData></worksheet>',
  'xl/worksheets/sheet2.xml':
    '<worksheet><sheetData>' +
    '<row r="1"/>' +
    '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="D2" t="inlineStr"><is><t>Signup</t></is></c><c r="E2" t="str"><v>VIP</v></c><c r="F2" t="inlineStr"><is><t>Score</t></is></c></row>' +
    '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" t="s"><v>3</v></c><c r="D3" s="2"><v>46027</v></c><c r="E3" t="b"><v>1</v></c><c r="F3" s="3"><v>42.0</v></c></row>' +
    '<row r="4"><c r="A4" t="inlineStr"><is><t>bob@x.example</t></is></c><c r="D4" s="1"><v>46027.5</v></c><c r="F4"><v>0.1</v></c></row>' +
    '<row r="5"><c r="A5" t="inlineStr"><is><t>cut',
};

describe('XLSX preview', () => {
  it('reads sheet names, the header row and typed cells of the chosen sheet', async () => {
    const buffer = zip(WORKBOOK);
    expect(isZip(new Uint8Array(buffer))).toBe(true);
    const preview = await previewXlsx(buffer, 'Customers & leads');
    expect(preview.sheets).toEqual(['Notes', 'Customers & leads']);
    expect(preview.sheet).toBe('Customers & leads');
    // The first non-empty row is the header; an empty column keeps its place.
    expect(preview.headers).toEqual(['Email', 'First name', '', 'Signup', 'VIP', 'Score']);
    expect(preview.rows).toEqual([
      ['ann@x.example', 'Zoë <3', '', '2026-01-05', 'TRUE', '42'],
      ['bob@x.example', '', '', '2026-01-05 12:00', '', '0.1'],
    ]);
  });

  it('opens the first sheet by default and reads stored entries too', async () => {
    const preview = await previewXlsx(zip(WORKBOOK, true));
    expect(preview.sheet).toBe('Notes');
    expect(preview.headers).toEqual(['Just notes']);
    expect(preview.rows).toEqual([]);
  });

  it('refuses what is not a workbook', async () => {
    await expect(previewXlsx(zip({ 'word/document.xml': '<w/>' }))).rejects.toThrow(/not an Excel workbook/);
    await expect(previewXlsx(new Uint8Array([1, 2, 3]).buffer)).rejects.toThrow(/not a readable/);
  });

  it('has the small parts right', () => {
    expect(columnIndex('A1')).toBe(0);
    expect(columnIndex('BC12')).toBe(54);
    expect(serialDate(45658)).toBe('2025-01-01');
    expect(sharedStrings('<sst><si><t>a</t></si><si/><si><t>c</t></si></sst>')).toEqual(['a', '', 'c']);
    expect([...dateStyles(WORKBOOK['xl/styles.xml'])]).toEqual([1, 2]);
  });
});
