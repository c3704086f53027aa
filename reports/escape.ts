/**
 * Escaping for every string that comes from a result file (scenario names, labels, errors,
 * warnings): a result containing `<script>` must render as text in HTML and must not break a
 * Markdown table.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c]!);
}

/** For a Markdown table cell or line: no HTML, no pipes, no line breaks, no emphasis or links. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_{}[\]<>|#!]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
}

/** For inline code (`...`): backslash escapes do not work there, so drop what would end or break it. */
export function markdownCode(text: string): string {
  return `\`${text.replace(/\r?\n/g, ' ').replace(/`/g, "'")}\``;
}
