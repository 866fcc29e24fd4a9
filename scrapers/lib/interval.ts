/** Absolute bounds of a confidence interval. */
export interface Bounds {
  lower: number;
  upper: number;
}

const ASYMMETRIC = /^\+\s*(\d+(?:\.\d+)?)\s*\/\s*-\s*(\d+(?:\.\d+)?)$/;
const SYMMETRIC = /^(?:±|\+\/-|\+-)\s*(\d+(?:\.\d+)?)$/;

/**
 * Reads a published interval such as `+3/-4`, `+14 / -15`, `+2.0/-1.9` or `±7` around `score`.
 * Returns null for an empty cell and undefined for text that is not an interval.
 */
export function parseInterval(text: string, score: number): Bounds | null | undefined {
  const cell = text.trim();
  if (cell === '' || cell === '-' || cell.toLowerCase() === 'n/a') return null;
  const asymmetric = ASYMMETRIC.exec(cell);
  if (asymmetric) return { lower: score - Number(asymmetric[2]), upper: score + Number(asymmetric[1]) };
  const symmetric = SYMMETRIC.exec(cell);
  if (symmetric) return { lower: score - Number(symmetric[1]), upper: score + Number(symmetric[1]) };
  return undefined;
}
