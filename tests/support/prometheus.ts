// A strict reader of the Prometheus text exposition format 0.0.4, written from the format's
// description rather than taken from prom-client, so that what the service serves is checked by
// something other than the library that wrote it.

export const METRIC_TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/** One sample line: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its `# TYPE`, `# HELP` and samples. */
export interface Family {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Thrown for text that is not valid exposition, naming the line. */
export class ExpositionError extends Error {}

/** A value as Go's ParseFloat reads it, which the format refers to: `NaN` and `Inf` in any case (prom-client writes `Nan`). */
function parseValue(text: string, line: number): number {
  if (/^nan$/i.test(text)) return NaN;
  const infinite = /^([-+]?)inf(inity)?$/i.exec(text);
  if (infinite) return infinite[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new ExpositionError(`line ${line}: not a number: ${JSON.stringify(text)}`);
  return Number(text);
}

/** `{a="x",b="y\"z"}` at `text[start]`: the labels and the index after the closing brace. */
function parseLabels(text: string, start: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let at = start + 1;
  for (;;) {
    if (text[at] === '}') return { labels, end: at + 1 };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(at))?.[0];
    if (!name) throw new ExpositionError(`line ${line}: expected a label name at column ${at + 1}`);
    at += name.length;
    if (text[at] !== '=' || text[at + 1] !== '"') throw new ExpositionError(`line ${line}: expected ="…" after label ${name}`);
    at += 2;
    let value = '';
    for (;;) {
      const character = text[at];
      if (character === undefined) throw new ExpositionError(`line ${line}: unterminated value of label ${name}`);
      if (character === '"') break;
      if (character === '\\') {
        const escaped = text[at + 1];
        if (escaped === '\\') value += '\\';
        else if (escaped === '"') value += '"';
        else if (escaped === 'n') value += '\n';
        else throw new ExpositionError(`line ${line}: bad escape \\${escaped ?? ''} in label ${name}`);
        at += 2;
        continue;
      }
      value += character;
      at += 1;
    }
    at += 1;
    if (name in labels) throw new ExpositionError(`line ${line}: label ${name} given twice`);
    labels[name] = value;
    if (text[at] === ',') at += 1;
    else if (text[at] !== '}') throw new ExpositionError(`line ${line}: expected , or } after label ${name}`);
  }
}

/** The family a sample belongs to: its own name, or a histogram's/summary's base name. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name);
  const family = base ? families.get(base[1]!) : undefined;
  if (!family) return undefined;
  if (family.type === 'histogram') return family;
  if (family.type === 'summary' && base![2] !== 'bucket') return family;
  return undefined;
}

/**
 * Parses exposition text into families, refusing anything malformed: a sample whose family has no
 * `# TYPE` before it, a family declared twice or split into two runs, bad names, labels or
 * numbers, and histograms whose buckets do not add up (cumulative, ending in `+Inf` = `_count`).
 */
export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new ExpositionError('the text must end with a newline');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: Family | null = null;
  const lines = text.slice(0, -1).split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    if (raw.trim() === '') continue;
    const comment = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(raw);
    if (comment) {
      const [, keyword, name, rest = ''] = comment;
      if (!METRIC_NAME.test(name!)) throw new ExpositionError(`line ${line}: bad metric name ${name}`);
      if (closed.has(name!) && families.get(name!) !== current) throw new ExpositionError(`line ${line}: ${name} comes back after other metrics`);
      let family = families.get(name!);
      if (!family) {
        family = { name: name!, type: 'untyped', help: '', samples: [] };
        families.set(name!, family);
      }
      if (current && current !== family) closed.add(current.name);
      current = family;
      if (keyword === 'TYPE') {
        if (!(METRIC_TYPES as readonly string[]).includes(rest.trim())) throw new ExpositionError(`line ${line}: unknown type ${rest}`);
        if (family.samples.length > 0) throw new ExpositionError(`line ${line}: TYPE of ${name} after its samples`);
        family.type = rest.trim() as MetricType;
      } else {
        family.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      }
      continue;
    }
    if (raw.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(raw)?.[0];
    if (!name) throw new ExpositionError(`line ${line}: expected a metric name: ${raw}`);
    let at = name.length;
    let labels: Record<string, string> = {};
    if (raw[at] === '{') ({ labels, end: at } = parseLabels(raw, at, line));
    const rest = raw.slice(at);
    const parts = rest.trim().split(/\s+/);
    if (!/^\s/.test(rest) || parts.length < 1 || parts.length > 2) throw new ExpositionError(`line ${line}: expected a value (and a timestamp) after ${name}`);
    const value = parseValue(parts[0]!, line);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new ExpositionError(`line ${line}: bad timestamp ${parts[1]}`);
    const family = familyOf(name, families);
    if (!family || family !== current) throw new ExpositionError(`line ${line}: sample ${name} outside the block of a family with a TYPE`);
    for (const label of Object.keys(labels)) if (!LABEL_NAME.test(label)) throw new ExpositionError(`line ${line}: bad label name ${label}`);
    family.samples.push({ name, labels, value });
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function seriesKey(labels: Record<string, string>, without: string): string {
  return JSON.stringify(Object.entries(labels).filter(([name]) => name !== without).sort(([a], [b]) => a.localeCompare(b)));
}

function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const key = seriesKey(sample.labels, 'le');
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name === `${family.name}_bucket`) {
      if (sample.labels.le === undefined) throw new ExpositionError(`${family.name}: a bucket without le`);
      entry.buckets.push([parseValue(sample.labels.le, 0), sample.value]);
    } else if (sample.name === `${family.name}_count`) entry.count = sample.value;
    else if (sample.name === `${family.name}_sum`) entry.sum = sample.value;
    else throw new ExpositionError(`${family.name}: unexpected sample ${sample.name}`);
  }
  for (const [key, entry] of series) {
    const last = entry.buckets.at(-1);
    if (!last || last[0] !== Infinity) throw new ExpositionError(`${family.name}${key}: no +Inf bucket`);
    if (entry.count === undefined || entry.sum === undefined) throw new ExpositionError(`${family.name}${key}: no _count or _sum`);
    if (last[1] !== entry.count) throw new ExpositionError(`${family.name}${key}: the +Inf bucket is not _count`);
    for (let i = 1; i < entry.buckets.length; i++) {
      if (entry.buckets[i]![0] <= entry.buckets[i - 1]![0] || entry.buckets[i]![1] < entry.buckets[i - 1]![1]) throw new ExpositionError(`${family.name}${key}: buckets not cumulative`);
    }
  }
}

/** The samples of a family whose labels include `labels`. */
export function samples(families: Map<string, Family>, sampleName: string, labels: Record<string, string> = {}): Sample[] {
  const family = familyOf(sampleName, families);
  return (family?.samples ?? []).filter((sample) => sample.name === sampleName && Object.entries(labels).every(([name, value]) => sample.labels[name] === value));
}

/** The one value of a sample with these labels (undefined when absent). */
export function value(families: Map<string, Family>, sampleName: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(families, sampleName, labels);
  if (found.length > 1) throw new Error(`${sampleName} ${JSON.stringify(labels)}: ${found.length} samples match`);
  return found[0]?.value;
}
