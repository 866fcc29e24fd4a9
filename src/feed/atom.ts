import { XMLBuilder } from 'fast-xml-parser';
import { FEED_DESCRIPTION, FEED_LANGUAGE } from './rss.ts';
import { homeUrl, keepRendered, xmlText, type FeedContext, type FeedItem } from './items.ts';

const ATOM_NS = 'http://www.w3.org/2005/Atom';

// The builder escapes `&`, `<`, `>` and quotes in text and attribute values; text nodes are
// written inline, so a `type="text"` title holds exactly its text (no indentation around it).
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true });

/** A plain-text Atom text construct (RFC 4287 §3.1): readers show it as is, never as markup. */
const plain = (text: string) => ({ '@_type': 'text', '#text': xmlText(text) });

/**
 * Atom 1.0 (RFC 4287) of the items, newest first. Written here with an XML builder rather than
 * with the `feed` package, which writes every title as `type="html"`: titles and summaries are
 * `type="text"` (a model called `R&D <b>` reads as such, with nothing to unescape twice), the
 * body is `<content type="html">` (no plain-text `<summary>` beside it: Atom readers all show
 * content, and a change set of 562 events would be listed twice). Entry ids are the stable GUIDs; `updated` is when the feed's
 * content last changed (the epoch for an empty feed, so the same content gives the same bytes).
 */
export const renderAtom = keepRendered(writeAtom);

function writeAtom(context: FeedContext, items: readonly FeedItem[], updated: Date | null): string {
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    feed: {
      '@_xmlns': ATOM_NS,
      '@_xml:lang': FEED_LANGUAGE,
      id: context.selfUrl,
      title: plain(context.title),
      subtitle: plain(FEED_DESCRIPTION),
      updated: (updated ?? new Date(0)).toISOString(),
      generator: { '@_uri': context.homepage, '@_version': context.version, '#text': 'rankwatch' },
      // Atom requires an author for the feed (or for every entry).
      author: { name: 'rankwatch', uri: context.homepage },
      link: [
        { '@_rel': 'alternate', '@_type': 'text/html', '@_href': homeUrl(context) },
        { '@_rel': 'self', '@_type': 'application/atom+xml', '@_href': context.selfUrl },
      ],
      entry: items.map((item) => ({
        id: item.id,
        title: plain(item.title),
        link: { '@_rel': 'alternate', '@_href': item.url },
        updated: item.date.toISOString(),
        published: item.date.toISOString(),
        content: { '@_type': 'html', '#text': xmlText(item.html) },
        category: item.tags.map((tag) => ({ '@_term': tag })),
      })),
    },
  };
  return `${builder.build(document)}`;
}
