/**
 * The first rows of an Excel workbook (.xlsx), read in the browser for the import
 * wizard's mapping step: a minimal ZIP reader (stored and deflated entries, inflated with
 * the browser's DecompressionStream), the sheet list, shared strings, and the cells of
 * the first rows of one sheet. Only as much of the sheet is inflated as the preview
 * needs, so a large workbook costs no more than a small one. The server reads the whole
 * workbook with openpyxl; the first non-empty row is the header there as here.
 */

import { tabulate, type FilePreview } from './csv.ts';

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localOffset: number;
}

export class XlsxError extends Error {
  override readonly name = 'XlsxError';
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function readEntries(buffer: ArrayBuffer): Map<string, ZipEntry> {
  const view = new DataView(buffer);
  const min = Math.max(0, buffer.byteLength - 22 - 0xffff);
  let end = -1;
  for (let offset = buffer.byteLength - 22; offset >= min; offset--) {
    if (view.getUint32(offset, true) === 0x06054b50) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw new XlsxError('This is not a readable .xlsx file (no ZIP directory).');
  const count = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  for (let index = 0; index < count; index++) {
    if (offset + 46 > buffer.byteLength || view.getUint32(offset, true) !== 0x02014b50) {
      throw new XlsxError('This .xlsx file is damaged (bad ZIP directory).');
    }
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const name = decoder.decode(new Uint8Array(buffer, offset + 46, nameLength));
    entries.set(name, {
      name,
      method: view.getUint16(offset + 10, true),
      compressedSize: view.getUint32(offset + 20, true),
      localOffset: view.getUint32(offset + 42, true),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The entry's text, inflated up to `maxChars` characters (the rest is not read). */
async function readText(buffer: ArrayBuffer, entry: ZipEntry, maxChars = Infinity): Promise<string> {
  const view = new DataView(buffer);
  const local = entry.localOffset;
  if (view.getUint32(local, true) !== 0x04034b50) throw new XlsxError('This .xlsx file is damaged (bad ZIP entry).');
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  const data = new Uint8Array(buffer, start, entry.compressedSize);
  if (entry.method === 0) return new TextDecoder().decode(data.subarray(0, Math.min(data.length, maxChars * 4)));
  if (entry.method !== 8) throw new XlsxError('This .xlsx file uses a compression the preview cannot read.');
  if (typeof DecompressionStream === 'undefined') throw new XlsxError('This browser cannot read .xlsx files.');
  const source = new ReadableStream<BufferSource>({
    start(controller) {
      controller.enqueue(data);
      controller.close();
    },
  });
  const stream = source.pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.length >= maxChars) break;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
  return text;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXml(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name] ?? whole;
  });
}

/**
 * The elements named `tag` in `xml`, in order: their attributes and inner text (empty
 * for `<tag/>`). An element cut off by the end of a partial read is not returned.
 */
export function* elements(xml: string, tag: string): Generator<{ attributes: string; body: string }> {
  const open = new RegExp(`<${tag}(?=[\\s/>])([^>]*?)(/)?>`, 'g');
  for (let match = open.exec(xml); match; match = open.exec(xml)) {
    if (match[2]) {
      yield { attributes: match[1]!, body: '' };
      continue;
    }
    const close = xml.indexOf(`</${tag}>`, open.lastIndex);
    if (close < 0) return;
    yield { attributes: match[1]!, body: xml.slice(open.lastIndex, close) };
    open.lastIndex = close + tag.length + 3;
  }
}

function first(xml: string, tag: string): string {
  for (const element of elements(xml, tag)) return element.body;
  return '';
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes);
  return match ? decodeXml(match[1]!) : undefined;
}

/** The text of `<t>` runs in a string item, without phonetic guides. */
function itemText(xml: string): string {
  const withoutPhonetic = xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
  let text = '';
  for (const element of elements(withoutPhonetic, 't')) text += decodeXml(element.body);
  return text;
}

export function sharedStrings(xml: string): string[] {
  return [...elements(xml, 'si')].map((element) => itemText(element.body));
}

/** "BC12" -> 54 (zero-based column index). */
export function columnIndex(reference: string): number {
  const letters = /^[A-Z]+/.exec(reference.toUpperCase())?.[0] ?? '';
  let index = 0;
  for (const letter of letters) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** Which cell styles (`s="N"`) format numbers as dates, from xl/styles.xml. */
export function dateStyles(xml: string): Set<number> {
  const custom = new Map<number, string>();
  for (const match of xml.matchAll(/<numFmt\b([^>]*)\/?>/g)) {
    const id = Number(attribute(match[1]!, 'numFmtId'));
    const code = attribute(match[1]!, 'formatCode') ?? '';
    custom.set(id, code);
  }
  const isDate = (id: number) => {
    if (BUILTIN_DATE_FORMATS.has(id)) return true;
    const code = custom.get(id);
    if (!code) return false;
    // Letters inside quotes or brackets ([Red], "on") are literal text, not date parts.
    const bare = code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
    return /[dmyhs]/i.test(bare);
  };
  const result = new Set<number>();
  let index = 0;
  for (const xf of elements(first(xml, 'cellXfs'), 'xf')) {
    if (isDate(Number(attribute(xf.attributes, 'numFmtId') ?? 0))) result.add(index);
    index++;
  }
  return result;
}

/** An Excel serial day number (1900 date system) as YYYY-MM-DD[ HH:MM]. */
export function serialDate(serial: number): string {
  const ms = Math.round((serial - 25569) * 86_400_000);
  const iso = new Date(ms).toISOString();
  const time = iso.slice(11, 16);
  return time === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}`;
}

function formatNumber(raw: string): string {
  const number = Number(raw);
  if (!Number.isFinite(number)) return raw;
  // Integers stored as 42.0 read as 42, as the server writes them.
  return Number.isInteger(number) ? String(number) : String(Number(number.toPrecision(15)));
}

/** The first rows of a sheet's XML (possibly cut short) as text cells. */
export function sheetRows(xml: string, strings: string[], dates: Set<number>, maxRows: number): string[][] {
  const rows: string[][] = [];
  for (const row of elements(xml, 'row')) {
    const cells: string[] = [];
    let next = 0;
    for (const { attributes, body } of elements(row.body, 'c')) {
      const reference = attribute(attributes, 'r');
      const index = reference ? columnIndex(reference) : next;
      next = index + 1;
      const type = attribute(attributes, 't') ?? 'n';
      const raw = decodeXml(first(body, 'v'));
      let value: string;
      if (type === 's') value = strings[Number(raw)] ?? '';
      else if (type === 'inlineStr') value = itemText(first(body, 'is'));
      else if (type === 'b') value = raw === '1' ? 'TRUE' : raw === '0' ? 'FALSE' : raw;
      else if (type === 'n' && raw !== '') {
        const style = Number(attribute(attributes, 's') ?? 0);
        value = dates.has(style) && Number.isFinite(Number(raw)) ? serialDate(Number(raw)) : formatNumber(raw);
      } else value = raw;
      while (cells.length < index) cells.push('');
      cells[index] = value;
    }
    // Blank rows are skipped, as the server skips them.
    if (cells.some((cell) => cell.trim() !== '')) rows.push(cells);
    if (rows.length >= maxRows) break;
  }
  return rows;
}

function resolveTarget(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = `xl/${target}`.split('/');
  const resolved: string[] = [];
  for (const part of parts) {
    if (part === '..') resolved.pop();
    else if (part !== '.') resolved.push(part);
  }
  return resolved.join('/');
}

const SHEET_PREVIEW_CHARS = 512 * 1024;
const STRINGS_PREVIEW_CHARS = 8 * 1024 * 1024;

/** The sheet names and the header and first rows of `sheet` (default: the first sheet). */
export async function previewXlsx(buffer: ArrayBuffer, sheet?: string, maxRows = 5): Promise<FilePreview> {
  const entries = readEntries(buffer);
  const workbookEntry = entries.get('xl/workbook.xml');
  if (!workbookEntry) throw new XlsxError('This is not an Excel workbook (.xlsx).');
  const workbook = await readText(buffer, workbookEntry);
  const relsEntry = entries.get('xl/_rels/workbook.xml.rels');
  const rels = relsEntry ? await readText(buffer, relsEntry) : '';
  const targets = new Map<string, string>();
  for (const match of rels.matchAll(/<Relationship\b([^>]*)\/?>/g)) {
    const id = attribute(match[1]!, 'Id');
    const target = attribute(match[1]!, 'Target');
    if (id && target) targets.set(id, resolveTarget(target));
  }
  const sheets = [...workbook.matchAll(/<sheet\b([^>]*)\/?>/g)].map((match) => ({
    name: attribute(match[1]!, 'name') ?? '',
    path: targets.get(attribute(match[1]!, 'r:id') ?? '') ?? '',
  }));
  if (sheets.length === 0) throw new XlsxError('The workbook has no sheets.');
  const chosen = sheets.find((candidate) => candidate.name === sheet) ?? sheets[0]!;
  const sheetEntry = entries.get(chosen.path);
  if (!sheetEntry) throw new XlsxError(`The sheet “${chosen.name}” could not be found in the workbook.`);
  const stringsEntry = entries.get('xl/sharedStrings.xml');
  const stylesEntry = entries.get('xl/styles.xml');
  const [sheetXml, stringsXml, stylesXml] = await Promise.all([
    readText(buffer, sheetEntry, SHEET_PREVIEW_CHARS),
    stringsEntry ? readText(buffer, stringsEntry, STRINGS_PREVIEW_CHARS) : Promise.resolve(''),
    stylesEntry ? readText(buffer, stylesEntry) : Promise.resolve(''),
  ]);
  const records = sheetRows(sheetXml, sharedStrings(stringsXml), dateStyles(stylesXml), maxRows + 1);
  return {
    format: 'xlsx',
    sheets: sheets.map((candidate) => candidate.name),
    sheet: chosen.name,
    ...tabulate(records, maxRows),
  };
}
