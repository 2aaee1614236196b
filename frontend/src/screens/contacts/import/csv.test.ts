import { describe, expect, it } from 'vitest';
import { decodeText, detectDelimiter, parseCsv, previewCsv } from './csv.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('CSV preview', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks', () => {
    const text = 'Email,Note\r\nann@x.example,"Says ""hi"", then\nleaves"\r\n\r\nbob@x.example,plain\n';
    expect(parseCsv(text, ',')).toEqual([
      ['Email', 'Note'],
      ['ann@x.example', 'Says "hi", then\nleaves'],
      ['bob@x.example', 'plain'],
    ]);
    expect(parseCsv(text, ',', 2)).toHaveLength(2);
  });

  it('detects the delimiter from the first records', () => {
    expect(detectDelimiter('Email;Name\na@x.example;Ann\nb@x.example;Bob, Jr.\n')).toBe(';');
    expect(detectDelimiter('Email\tName\na@x.example\tAnn\n')).toBe('\t');
    expect(detectDelimiter('Email|Name|Plan\na@x.example|Ann|pro\n')).toBe('|');
    expect(detectDelimiter('Email,Name\na@x.example,"Lee; Ann"\n')).toBe(',');
    expect(detectDelimiter('Email\na@x.example\n')).toBe(',');
  });

  it('decodes BOMs, UTF-16 without a BOM, and falls back to Windows-1252', () => {
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('Émile')]))).toEqual({ text: 'Émile', encoding: 'utf-8' });
    const utf16 = new Uint8Array([0xff, 0xfe, 0x45, 0x00, 0x6d, 0x00]);
    expect(decodeText(utf16)).toEqual({ text: 'Em', encoding: 'utf-16' });
    expect(decodeText(new Uint8Array([0x45, 0x00, 0x6d, 0x00, 0x61, 0x00, 0x69, 0x00]))).toEqual({ text: 'Emai', encoding: 'utf-16' });
    // "Müller" in Windows-1252 is not valid UTF-8.
    expect(decodeText(new Uint8Array([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]))).toEqual({ text: 'Müller', encoding: 'windows-1252' });
    // A multi-byte character cut by the end of a partial read is still UTF-8.
    const cut = bytes('Zoë').subarray(0, 3);
    expect(decodeText(cut, true).encoding).toBe('utf-8');
  });

  it('gives headers and the first rows, padded to the header', () => {
    const preview = previewCsv(bytes('\ufeff E-Mail ;Vorname;Plan;\nann@x.example;Ann\nbob@x.example;Bob;pro;\n'), false);
    expect(preview).toMatchObject({
      format: 'csv',
      encoding: 'utf-8',
      delimiter: ';',
      headers: ['E-Mail', 'Vorname', 'Plan'],
      rows: [
        ['ann@x.example', 'Ann', ''],
        ['bob@x.example', 'Bob', 'pro'],
      ],
    });
  });

  it('drops a last record cut off by a partial read', () => {
    const preview = previewCsv(bytes('Email,Name\na@x.example,Ann\nb@x.exa'), true);
    expect(preview.rows).toEqual([['a@x.example', 'Ann']]);
  });
});
