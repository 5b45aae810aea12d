import type * as vscode from 'vscode';

/** Folder of the pages' scripts, styles and sounds inside the extension (the only local resource root). */
export const MEDIA = ['media', 'webview'] as const;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function nonce(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '');
}

/**
 * The content security policy of every page: nothing by default; styles, images and sounds only from the
 * extension's own files; only the page's one nonce'd script. No inline styles, no CDN, no network.
 */
export function contentSecurityPolicy(cspSource: string, scriptNonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `media-src ${cspSource}`,
    `script-src 'nonce-${scriptNonce}'`,
  ].join('; ');
}

export interface PageParts {
  readonly webview: Pick<vscode.Webview, 'asWebviewUri' | 'cspSource'>;
  readonly extensionUri: vscode.Uri;
  readonly joinPath: typeof vscode.Uri.joinPath;
  readonly lang: string;
  readonly title: string;
  /** File names under media/webview. */
  readonly style: string;
  readonly script: string;
  readonly body: string;
  /** JSON handed to the script before its first message (in a data attribute, escaped). */
  readonly initial: unknown;
}

export function mediaUri(parts: Pick<PageParts, 'webview' | 'extensionUri' | 'joinPath'>, file: string): string {
  return parts.webview.asWebviewUri(parts.joinPath(parts.extensionUri, ...MEDIA, file)).toString();
}

/** A whole page: written once per webview; everything after that arrives by postMessage. */
export function pageHtml(parts: PageParts): string {
  const n = nonce();
  return `<!DOCTYPE html>
<html lang="${escapeHtml(parts.lang || 'en')}"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(parts.webview.cspSource, n))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(parts.title)}</title>
<link rel="stylesheet" href="${escapeHtml(mediaUri(parts, parts.style))}">
</head>
<body data-initial="${escapeHtml(JSON.stringify(parts.initial))}">
${parts.body}
<script nonce="${n}" src="${escapeHtml(mediaUri(parts, parts.script))}"></script>
</body></html>`;
}
