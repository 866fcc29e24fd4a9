import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import type * as AdaptiveCards from 'adaptivecards';

// Microsoft's Adaptive Cards library, as a client runs it before rendering a card. The package's
// ES build imports its own files without extensions, which Node's loader refuses; its UMD bundle
// is the same library in one file.
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/**
 * What Microsoft's library finds wrong with a card (an empty list: nothing): its parse warnings
 * (an unknown element, a value out of range), its validation failures (a missing URL, an
 * unsupported version), and whether the card it read back differs from the one given (a property
 * it did not know and dropped; `msteams`, Teams' own, is left out of that comparison).
 */
export function adaptiveCardProblems(content: object): string[] {
  const context = new AC.SerializationContext();
  const card = new AC.AdaptiveCard();
  card.parse(content, context);
  const problems = Array.from({ length: context.eventCount }, (_, i) => `parse: ${context.getEventAt(i).message}`);
  problems.push(...card.validateProperties().validationEvents.map((event) => `validation: ${event.message}`));
  const { msteams: _msteams, ...standard } = content as Record<string, unknown>;
  if (!isDeepStrictEqual(card.toJSON(), standard)) problems.push(`read back as ${JSON.stringify(card.toJSON()).slice(0, 300)}`);
  return problems;
}
