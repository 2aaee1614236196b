/** Display formatting shared by the screens. */

/**
 * Parse an API timestamp. The API writes ISO 8601; a timestamp without an offset
 * (SQLite in the embedded mode) is UTC.
 */
export function parseTimestamp(value: string): Date {
  const hasOffset = /(?:Z|[+-]\d\d:?\d\d)$/.test(value);
  return new Date(hasOffset ? value : `${value}Z`);
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = parseTimestamp(value);
  return Number.isNaN(date.getTime()) ? value : dateFormat.format(date);
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = parseTimestamp(value);
  return Number.isNaN(date.getTime()) ? value : dateTimeFormat.format(date);
}

/** Up to two initials for an avatar: "Ada Lovelace" -> "AL", "ops@x.com" -> "O". */
export function initials(label: string): string {
  const words = label
    .replace(/@.*$/, '')
    .split(/[\s._-]+/)
    .filter((word) => /^\p{L}/u.test(word));
  const letters = words.slice(0, 2).map((word) => word[0]!.toUpperCase());
  return letters.join('') || '?';
}
