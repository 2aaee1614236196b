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

const numberFormat = new Intl.NumberFormat();

/** 15000 -> "15,000" (in the reader's locale). */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/** 1, "recipient" -> "1 recipient"; 15000 -> "15,000 recipients". */
export function formatCount(count: number, noun: string, plural = `${noun}s`): string {
  return `${formatNumber(count)} ${count === 1 ? noun : plural}`;
}

/**
 * An amount in the smallest unit of its currency (cents; yen for JPY, as Stripe counts)
 * as money: 1500, "usd" -> "$15.00". `whole` drops ".00" from round amounts ("$15").
 */
export function formatMoney(amount: number, currency: string, { whole = false } = {}): string {
  const code = currency.toUpperCase();
  try {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits ?? 2;
    const value = amount / 10 ** digits;
    return new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency: code,
      minimumFractionDigits: whole && Number.isInteger(value) ? 0 : digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    // A code this browser does not know: still readable.
    return `${(amount / 100).toFixed(2)} ${code}`;
  }
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'long' });

/**
 * "just now", "5 minutes ago", "yesterday"; past a week the date itself
 * ("Mar 3, 2026"), which reads better than "5 weeks ago".
 */
export function formatRelative(value: string | null | undefined, now: Date = new Date()): string {
  if (!value) return '—';
  const date = parseTimestamp(value);
  if (Number.isNaN(date.getTime())) return value;
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const past = Math.abs(seconds);
  if (past < 45) return 'just now';
  if (past < 3600) return relativeFormat.format(Math.round(seconds / 60), 'minute');
  if (past < 86_400) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
  if (past < 7 * 86_400) return relativeFormat.format(Math.round(seconds / 86_400), 'day');
  return dateFormat.format(date);
}
