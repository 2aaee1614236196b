/**
 * Reading the first rows of a CSV file in the browser, for the import wizard's mapping
 * step. The server reads the whole file again with its own rules (blueprints/contacts/
 * readers.py); this mirrors them for the preview: the encoding (BOMs, UTF-8, else
 * Windows-1252), the delimiter (`,` `;` TAB `|`, from the first records) and quoted fields
 * spanning lines.
 */

export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Bytes of the file read for the preview: enough for a header and a few rows. */
export const PREVIEW_BYTES = 64 * 1024;

export interface TextGuess {
  text: string;
  encoding: string;
}

function looksLikeUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  // Mostly-ASCII UTF-16 without a BOM: every other byte is NUL.
  const sample = bytes.subarray(0, Math.min(bytes.length, 512));
  if (sample.length < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let index = 0; index < sample.length; index++) {
    if (sample[index] === 0) {
      if (index % 2 === 0) evenNul++;
      else oddNul++;
    }
  }
  const half = sample.length / 2;
  if (oddNul > half * 0.6 && evenNul === 0) return 'utf-16le';
  if (evenNul > half * 0.6 && oddNul === 0) return 'utf-16be';
  return null;
}

/**
 * Decode the start of a file. `truncated` says the bytes stop mid-file, so a multi-byte
 * character cut at the end is not a reason to give up on UTF-8.
 */
export function decodeText(bytes: Uint8Array, truncated = false): TextGuess {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16' };
  }
  const utf16 = looksLikeUtf16(bytes);
  if (utf16) return { text: new TextDecoder(utf16).decode(bytes), encoding: 'utf-16' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: truncated });
    return { text, encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

/**
 * Split CSV text into records (RFC 4180: quotes double to escape, quoted fields may hold
 * the delimiter and line breaks). Stops after `maxRecords`. A last record cut off by the
 * end of the text is dropped when `truncated`.
 */
export function parseCsv(text: string, delimiter: string, maxRecords = Infinity, truncated = false): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  let index = 0;
  const length = text.length;
  const endRecord = () => {
    record.push(field);
    // Blank lines are not records.
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
    field = '';
    atFieldStart = true;
  };
  while (index < length && records.length < maxRecords) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index += 2;
          continue;
        }
        quoted = false;
        index++;
        continue;
      }
      field += char;
      index++;
      continue;
    }
    if (char === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      index++;
    } else if (char === delimiter) {
      record.push(field);
      field = '';
      atFieldStart = true;
      index++;
    } else if (char === '\r' || char === '\n') {
      endRecord();
      index += char === '\r' && text[index + 1] === '\n' ? 2 : 1;
    } else {
      field += char;
      atFieldStart = false;
      index++;
    }
  }
  if (records.length < maxRecords && !(truncated && index >= length) && (field !== '' || record.length > 0)) {
    endRecord();
  }
  return records;
}

/**
 * The delimiter that splits the first records most consistently into more than one
 * column (ties go to the order of DELIMITERS, `,` first), as the server guesses it.
 */
export function detectDelimiter(text: string): string {
  let best: string = DELIMITERS[0];
  let bestScore = -1;
  for (const delimiter of DELIMITERS) {
    const rows = parseCsv(text, delimiter, 50, true);
    if (rows.length === 0) continue;
    const width = rows[0]!.length;
    if (width < 2) continue;
    const consistent = rows.filter((row) => row.length === width).length / rows.length;
    const score = consistent * 1000 + width;
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

export interface FilePreview {
  format: 'csv' | 'xlsx';
  headers: string[];
  /** The first data rows, as many cells as headers (missing cells are ''). */
  rows: string[][];
  encoding?: string;
  delimiter?: string;
  /** XLSX: the workbook's sheet names, in order. */
  sheets?: string[];
  sheet?: string;
}

export function delimiterLabel(delimiter: string | undefined): string {
  switch (delimiter) {
    case ',':
      return 'comma';
    case ';':
      return 'semicolon';
    case '\t':
      return 'tab';
    case '|':
      return 'pipe';
    default:
      return delimiter ?? '';
  }
}

/** Headers and first rows of records: trims headers, pads or cuts rows to their width. */
export function tabulate(records: string[][], maxRows: number): { headers: string[]; rows: string[][] } {
  const headers = (records[0] ?? []).map((header) => header.trim());
  // Trailing unnamed columns that are empty everywhere (a trailing delimiter) are noise.
  while (headers.length > 0 && headers[headers.length - 1] === '' && records.slice(1).every((row) => !row[headers.length - 1]?.trim())) {
    headers.pop();
  }
  const rows = records.slice(1, 1 + maxRows).map((row) => headers.map((_, index) => row[index] ?? ''));
  return { headers, rows };
}

export function previewCsv(bytes: Uint8Array, truncated: boolean, maxRows = 5): FilePreview {
  const { text, encoding } = decodeText(bytes, truncated);
  const delimiter = detectDelimiter(text);
  const records = parseCsv(text, delimiter, maxRows + 1, truncated);
  return { format: 'csv', encoding, delimiter, ...tabulate(records, maxRows) };
}
