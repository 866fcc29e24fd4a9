import { load } from 'cheerio/slim';

/** The visible text of an HTML fragment such as `<a href="…">GPT-4o</a>`, or of a markdown link `[GPT-4o](…)`. */
export function cellText(cell: string): string {
  const markdown = /^\s*\[([^\]]+)\]\([^)]*\)\s*$/.exec(cell);
  if (markdown?.[1]) return markdown[1].trim();
  if (!cell.includes('<') && !cell.includes('&')) return cell.trim();
  return load(cell, null, false).text().trim();
}

/** What an HTML document is, for "found …" in parse errors: a challenge page, a login wall, or its title. */
export function describeHtml(html: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1]?.trim() ?? '';
  if (/just a moment|cf-chl|challenge-platform|attention required/i.test(html)) return `a Cloudflare challenge page${title ? ` ("${title}")` : ''}`;
  if (/<input[^>]+type=["']?password|sign in|log in/i.test(html) && html.length < 200_000) return `a login page${title ? ` ("${title}")` : ''}`;
  return title ? `an HTML page titled "${title}"` : `an HTML page with no title (${html.length} bytes)`;
}
