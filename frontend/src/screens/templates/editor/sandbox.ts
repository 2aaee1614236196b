/**
 * The document shown in the preview iframe. The iframe is `sandbox=""` (no scripts, a
 * unique origin, no forms, no popups, no top navigation); a Content Security Policy is
 * added on top so that even a browser that ignored the sandbox would run nothing and
 * send nothing but image and font requests (emails load remote images; showing them is
 * the point of a preview).
 */

export const PREVIEW_CSP =
  "default-src 'none'; img-src http: https: data: cid:; style-src 'unsafe-inline' http: https:; font-src http: https: data:; media-src 'none'; script-src 'none'; form-action 'none'; base-uri 'none'";

const META = `<meta http-equiv="Content-Security-Policy" content="${PREVIEW_CSP}">`;

/**
 * `html` with the policy as the first element of its head. The doctype stays first: a
 * document without it would render in quirks mode, unlike in the mail clients.
 */
export function previewDocument(html: string): string {
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) {
    const at = head.index + head[0].length;
    return `${html.slice(0, at)}${META}${html.slice(at)}`;
  }
  const root = /<html(\s[^>]*)?>/i.exec(html);
  if (root) {
    const at = root.index + root[0].length;
    return `${html.slice(0, at)}<head>${META}</head>${html.slice(at)}`;
  }
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  if (doctype) return `${doctype[0]}${META}${html.slice(doctype[0].length)}`;
  return `${META}${html}`;
}

/** The plain-text part as a document (monospace, wrapped), for the same iframe. */
export function textDocument(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!DOCTYPE html><html><head>${META}<meta charset="utf-8"><style>body{margin:0;padding:20px;font:14px/1.55 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#1e293b;background:#fff}pre{margin:0;white-space:pre-wrap;word-break:break-word}</style></head><body><pre>${escaped}</pre></body></html>`;
}
