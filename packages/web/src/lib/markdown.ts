import DOMPurify from 'dompurify';
import { marked } from 'marked';

/** Markdown from the agent or the user as safe HTML: rendered by marked, then sanitized. */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true, breaks: true }) as string;
  return DOMPurify.sanitize(html);
}
