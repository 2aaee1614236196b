/** The wizard's preview of a chosen file: CSV or Excel, told apart by content, not name. */

import { PREVIEW_BYTES, previewCsv, type FilePreview } from './csv.ts';
import { isZip, previewXlsx } from './xlsx.ts';

/** Larger files are refused before upload (the server's own limit applies too). */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

export const ACCEPTED = '.csv,.tsv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The bytes of a blob (FileReader where Blob.arrayBuffer is missing, as in jsdom). */
function readBuffer(blob: Blob): Promise<ArrayBuffer> {
  if (typeof blob.arrayBuffer === 'function') return blob.arrayBuffer();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsArrayBuffer(blob);
  });
}

async function readBytes(file: Blob, count: number): Promise<Uint8Array> {
  return new Uint8Array(await readBuffer(file.slice(0, count)));
}

/** Whether the file is a workbook (a ZIP archive) rather than text. */
export async function isWorkbook(file: Blob): Promise<boolean> {
  return isZip(await readBytes(file, 4));
}

/** The header and first rows of `file` (`sheet`: which sheet of a workbook). */
export async function previewFile(file: File, sheet?: string): Promise<FilePreview> {
  if (file.size === 0) throw new Error('This file is empty.');
  if (await isWorkbook(file)) return previewXlsx(await readBuffer(file), sheet);
  const bytes = await readBytes(file, PREVIEW_BYTES);
  const preview = previewCsv(bytes, file.size > PREVIEW_BYTES);
  if (preview.headers.length === 0)
    throw new Error('No header row was found: the first line should name the columns (Email, First name, ...).');
  return preview;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
