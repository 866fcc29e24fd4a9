/** A number from a cell: `1287`, `1,287`, `"62,764"`, ` 12.5 `; null for empty or `-`; undefined when not a number. */
export function parseNumber(value: unknown): number | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().replace(/^"|"$/g, '').replace(/(\d),(?=\d{3}\b)/g, '$1');
  if (text === '' || text === '-' || text.toLowerCase() === 'n/a') return null;
  if (!/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** A short, printable excerpt of some input, for "found …" in parse errors. */
export function excerpt(text: string, length = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > length ? `${flat.slice(0, length)}…` : flat);
}

/** A value as JSON, cut short, for "found …" in parse errors. */
export function show(value: unknown, length = 80): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
