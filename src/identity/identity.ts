import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { scrapers } from '../../scrapers/index.ts';
import type { Scraper } from '../../scrapers/scraper.ts';
import { AppError } from '../errors.ts';
import { ALIASES_YAML, ORGANIZATIONS_YAML } from './tables.ts';

/**
 * Model identity: which model an entry is, across sources and formats, who made it and where.
 * Pure: two YAML tables (shipped next to this file, optionally extended by the user) in, answers
 * out; no database, no network, no clock.
 *
 * Canonical model id of an entry (`resolve`):
 * 1. The key that names the model: the entry's `model`, except that an opaque key (a UUID, as
 *    Artificial Analysis uses) says nothing and the display `name` is used instead; a source whose
 *    keys carry more than the model says how to read them (its scraper's `identityKey` hook, e.g.
 *    Aider's trailing ` [edit format]`, a harness setting, is dropped).
 * 2. A source-scoped alias of aliases.yaml matches that key verbatim (renames within one source).
 * 3. Otherwise the key is normalized (`normalizeModelKey`), keeping an owner prefix the
 *    organization table does not know (`dnhkng/rys-xlarge`: two Hugging Face fine-tunes with one
 *    repo name stay two models); a global alias of aliases.yaml matches that normalized form.
 * 4. No alias: the normalized form is the id.
 *
 * Organization (first that answers): the entry's `organization` text through the organization
 * aliases; the organization an aliases.yaml entry gives its model; the key's owner prefix
 * (`qwen/…`, `meta-llama/…`) through the organization aliases; inference from the id, then the
 * key, then the name, by the `models` rules of organizations.yaml (see `inferOrganization`) —
 * except under an unknown owner, whose fine-tune of `llama-…` is not Meta's.
 * Country: the organization's.
 */

const ALIASES_FILE = 'src/identity/aliases.yaml';
const ORGANIZATIONS_FILE = 'src/identity/organizations.yaml';

/** The shipped or user tables are malformed; the message names the file and the entry. */
export class IdentityConfigError extends AppError {
  readonly file: string;
  constructor(file: string, message: string, options?: ErrorOptions) {
    super('identity_config', `${file}: ${message}`, options);
    this.file = file;
  }
}

// ---------------------------------------------------------------------------------------------
// Normalization

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The organization-agnostic normal form of a model key, idempotent. Rules, in order:
 * 1. Unicode NFKC (full-width `（４）` becomes `(4)`), trimmed, lowercased.
 * 2. A provider prefix is dropped: everything up to the last `/` (`openai/gpt-4o` → `gpt-4o`).
 * 3. `+` as a suffix reads "plus" (`Command R+ (08-2024)` → `command-r-plus-08-2024`); `+` between
 *    two names joins them (`Whisper-v3 + GPT-4o` → `whisper-v3+gpt-4o`).
 * 4. Every character other than a letter, digit, `.`, `+`, `:` or a square bracket is a separator
 *    and becomes `-`: spaces, `_`, parentheses, commas (`Claude Opus 4 (20250514)` →
 *    `claude-opus-4-20250514`). The text inside parentheses is kept: `(preview)`, `(high)`,
 *    `(thinking-16k)` name other models or settings. Square brackets stay: LMArena's `Imagen 3 [2]`
 *    (a second model under one display name) must not read as version 3.2.
 * 5. A compact date `YYYYMMDD` is written `YYYY-MM-DD` (`chatgpt-4o-latest-20250326` →
 *    `chatgpt-4o-latest-2025-03-26`, the form OpenAI's dated ids and LMArena's CSV names use).
 * 6. A version written with a dash between single digits takes a dot (`claude-3-5-sonnet` →
 *    `claude-3.5-sonnet`, `qwen2-5-coder` → `qwen2.5-coder`); sizes (`8b`), dates and multi-digit
 *    numbers (`gpt-4-0613`) are left alone.
 * 7. Runs of `-` collapse to one; `-` and `.` are trimmed from both ends.
 * Kept on purpose, because they distinguish models: dates, sizes, `preview`/`exp`/`latest`,
 * `-chat`/`-instruct`, reasoning settings, and OpenRouter's `:free`/`:thinking` variants.
 */
export function normalizeModelKey(key: string): string {
  return normalizeModelPart(splitOwners(key).model);
}

/** The key split at `/`: the owner segments (provider prefixes) and the model part. */
function splitOwners(key: string): { owners: string[]; model: string } {
  const parts = key.normalize('NFKC').trim().split('/');
  const model = parts.pop() ?? '';
  return { owners: parts.map((part) => part.trim()).filter((part) => part !== ''), model };
}

function normalizeModelPart(text: string): string {
  let out = text.normalize('NFKC').trim().toLowerCase();
  out = out.replace(/\s*\+\s*/g, '+');
  out = out.replace(/\+(?=$|[^\p{L}\p{N}])/gu, '-plus');
  out = out.replace(/[^\p{L}\p{N}.+:[\]]+/gu, '-').replace(/-*\+-*/g, '+');
  out = out.replace(/(?<![\p{L}\p{N}])(20[0-4]\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\p{L}\p{N}])/gu, '$1-$2-$3');
  out = out.replace(/(^|-|\p{L})(\d)-(\d)(?=-|$)/gu, '$1$2.$3');
  out = out.replace(/-{2,}/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return out;
}

/** Organization text as looked up: letters and digits only, lowercased (`Z.ai`, `z-ai`, `Z AI` are one). */
export function organizationKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

// ---------------------------------------------------------------------------------------------
// Tables

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const OrganizationEntrySchema = z
  .object({
    id: z.string().regex(KEBAB, 'a kebab-case id such as "moonshot-ai"'),
    name: z.string().trim().min(1).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as "US" or "CN", or null')
      .nullable()
      .optional(),
    aliases: z.array(z.string().trim().min(1)).optional(),
    models: z
      .object({
        prefixes: z.array(z.string().trim().min(1)).optional(),
        markers: z.array(z.string().trim().min(1)).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
/** One entry of organizations.yaml (user files may leave out what they do not change). */
export type OrganizationEntry = z.infer<typeof OrganizationEntrySchema>;
const OrganizationsFileSchema = z.array(OrganizationEntrySchema);

const ScopedAliasSchema = z
  .object({
    source: z.string().trim().min(1),
    key: z.string().trim().min(1),
  })
  .strict();
const ModelAliasEntrySchema = z
  .object({
    id: z.string().trim().min(1),
    organization: z.string().regex(KEBAB, 'an organization id of organizations.yaml').optional(),
    aliases: z.array(z.union([z.string().trim().min(1), ScopedAliasSchema])).optional(),
  })
  .strict();
/** One entry of aliases.yaml: a canonical model id, its organization, its other spellings. */
export type ModelAliasEntry = z.infer<typeof ModelAliasEntrySchema>;
const AliasesFileSchema = z.array(ModelAliasEntrySchema);

/** An organization as resolved: id, display name, ISO 3166-1 alpha-2 country or null. */
export interface Organization {
  id: string;
  name: string;
  country: string | null;
  aliases: readonly string[];
  prefixes: readonly string[];
  markers: readonly string[];
}

/** What `resolve` reads of an entry (a normalized `Entry` has these fields). */
export interface IdentityInput {
  model: string;
  name: string;
  organization: string | null;
}

/** The identity of one entry. */
export interface ResolvedIdentity {
  id: string;
  organization: string | null;
  country: string | null;
}

/** An entry for `unmapped`: the entry's fields with the source (scraper id or board id) it came from. */
export interface SourcedInput extends IdentityInput {
  source: string;
}

/** A spelling the tables do not resolve to a country, for `rankwatch models --unmapped`. */
export interface UnmappedItem {
  /** The organization text as the source wrote it, or the model key when no organization is known. */
  value: string;
  kind: 'organization' | 'model';
  /** `unknown-organization`: nothing matched; `no-country`: the organization is known, its country is not. */
  reason: 'unknown-organization' | 'no-country';
  /** The organization id when `reason` is `no-country`. */
  organization: string | null;
  sources: string[];
  entries: number;
}

/** The loaded tables and the questions they answer. */
export interface Identity {
  readonly organizations: readonly Organization[];
  /** An organization by id, or null. */
  organization(id: string): Organization | null;
  /** An organization by any of its spellings (id, name, alias), or null. */
  organizationOf(text: string): Organization | null;
  /** Canonical model id, organization id and country of an entry of `source` (scraper id, or a board id starting with it). */
  resolve(source: string, entry: IdentityInput): ResolvedIdentity;
  /** The distinct organization texts or model keys that resolve to no organization or no country, most entries first. */
  unmapped(entries: Iterable<SourcedInput>): UnmappedItem[];
}

/** Options of `loadIdentity`: YAML text merged over the shipped tables, and the file names for error messages. */
export interface LoadIdentityOptions {
  extraAliasesYaml?: string;
  extraOrganizationsYaml?: string;
  extraAliasesFile?: string;
  extraOrganizationsFile?: string;
}

let shippedIdentity: Identity | null = null;

/** The shipped tables' text: the YAML files as `npm run docs` copied them into ./tables.ts (no filesystem read, so the Worker has them too). */
function shippedTables(): { aliases: string; organizations: string } {
  return { organizations: ORGANIZATIONS_YAML, aliases: ALIASES_YAML };
}

/** The shipped tables, extended by the user's YAML (same shapes; an entry with a known id overrides it, aliases add up). */
export function loadIdentity(options: LoadIdentityOptions = {}): Identity {
  const extra = options.extraAliasesYaml !== undefined || options.extraOrganizationsYaml !== undefined;
  if (!extra && shippedIdentity) return shippedIdentity;
  const tables = shippedTables();
  const layers: Layer[] = [
    {
      organizations: readFile(tables.organizations, ORGANIZATIONS_FILE, OrganizationsFileSchema, 'organization'),
      aliases: readFile(tables.aliases, ALIASES_FILE, AliasesFileSchema, 'model'),
      organizationsFile: ORGANIZATIONS_FILE,
      aliasesFile: ALIASES_FILE,
    },
  ];
  if (extra) {
    const organizationsFile = options.extraOrganizationsFile ?? 'extra organizations YAML';
    const aliasesFile = options.extraAliasesFile ?? 'extra aliases YAML';
    layers.push({
      organizations: options.extraOrganizationsYaml === undefined ? [] : readFile(options.extraOrganizationsYaml, organizationsFile, OrganizationsFileSchema, 'organization'),
      aliases: options.extraAliasesYaml === undefined ? [] : readFile(options.extraAliasesYaml, aliasesFile, AliasesFileSchema, 'model'),
      organizationsFile,
      aliasesFile,
    });
  }
  const identity = build(layers);
  if (!extra) shippedIdentity = identity;
  return identity;
}

interface Layer {
  organizations: OrganizationEntry[];
  aliases: ModelAliasEntry[];
  organizationsFile: string;
  aliasesFile: string;
}

/** YAML text through a zod schema; an empty document is an empty table. */
function readFile<T>(text: string, file: string, schema: z.ZodType<T[]>, what: string): T[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new IdentityConfigError(file, `not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  if (document === null || document === undefined) return [];
  const result = schema.safeParse(document);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5).map((issue) => {
    const [index, ...rest] = issue.path;
    if (typeof index !== 'number') return `expected a list of ${what} entries (- id: …): ${issue.message}`;
    const raw = Array.isArray(document) ? (document as unknown[])[index] : undefined;
    const id = typeof raw === 'object' && raw !== null && 'id' in raw ? ` (id ${JSON.stringify((raw as { id: unknown }).id)})` : '';
    const field = rest.length > 0 ? `${rest.join('.')}: ` : '';
    return `${what} entry ${index + 1}${id}: ${field}${issue.message}`;
  });
  const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
  throw new IdentityConfigError(file, `${issues.join('; ')}${more}`, { cause: result.error });
}

interface MutableOrganization {
  id: string;
  name: string | undefined;
  country: string | null | undefined;
  aliases: Set<string>;
  prefixes: Set<string>;
  markers: Set<string>;
}

interface ModelRecord {
  id: string;
  organization: string | null;
}

function build(layers: Layer[]): Identity {
  // Organizations: later layers override fields and add spellings; a spelling claimed by two
  // organizations of one file is an error, one claimed by a later file moves to it.
  const organizations = new Map<string, MutableOrganization>();
  const orgByKey = new Map<string, string>();
  const prefixOwner = new Map<string, string>();
  const markerOwner = new Map<string, string>();
  for (const layer of layers) {
    const claimedHere = new Map<string, string>();
    const claim = (map: Map<string, string>, key: string, id: string, what: string, spelling: string) => {
      const here = claimedHere.get(`${what}:${key}`);
      if (here !== undefined && here !== id) {
        throw new IdentityConfigError(layer.organizationsFile, `${what} ${JSON.stringify(spelling)} is claimed by both organization "${here}" and organization "${id}"`);
      }
      claimedHere.set(`${what}:${key}`, id);
      map.set(key, id);
    };
    const seen = new Set<string>();
    layer.organizations.forEach((entry, index) => {
      if (seen.has(entry.id)) throw new IdentityConfigError(layer.organizationsFile, `organization entry ${index + 1}: id "${entry.id}" appears twice`);
      seen.add(entry.id);
      let org = organizations.get(entry.id);
      if (!org) {
        if (entry.name === undefined || entry.country === undefined) {
          throw new IdentityConfigError(
            layer.organizationsFile,
            `organization entry ${index + 1} (id "${entry.id}"): a new organization needs name and country (country: null when unknown)`,
          );
        }
        org = { id: entry.id, name: entry.name, country: entry.country, aliases: new Set(), prefixes: new Set(), markers: new Set() };
        organizations.set(entry.id, org);
      }
      if (entry.name !== undefined) org.name = entry.name;
      if (entry.country !== undefined) org.country = entry.country;
      for (const spelling of [entry.id, ...(entry.name === undefined ? [] : [entry.name]), ...(entry.aliases ?? [])]) {
        const key = organizationKey(spelling);
        if (key === '') throw new IdentityConfigError(layer.organizationsFile, `organization entry ${index + 1} (id "${entry.id}"): alias ${JSON.stringify(spelling)} has no letters or digits`);
        org.aliases.add(spelling);
        claim(orgByKey, key, entry.id, 'alias', spelling);
      }
      for (const prefix of entry.models?.prefixes ?? []) {
        const key = prefix.normalize('NFKC').toLowerCase();
        org.prefixes.add(key);
        claim(prefixOwner, key, entry.id, 'model prefix', prefix);
      }
      for (const marker of entry.models?.markers ?? []) {
        const key = marker.normalize('NFKC').toLowerCase();
        org.markers.add(key);
        claim(markerOwner, key, entry.id, 'model marker', marker);
      }
    });
  }
  // A spelling that moved to another organization no longer belongs to the first.
  for (const org of organizations.values()) {
    for (const alias of org.aliases) if (orgByKey.get(organizationKey(alias)) !== org.id) org.aliases.delete(alias);
    for (const prefix of org.prefixes) if (prefixOwner.get(prefix) !== org.id) org.prefixes.delete(prefix);
    for (const marker of org.markers) if (markerOwner.get(marker) !== org.id) org.markers.delete(marker);
  }
  const frozen = new Map<string, Organization>(
    [...organizations.values()].map((org) => [
      org.id,
      { id: org.id, name: org.name ?? org.id, country: org.country ?? null, aliases: [...org.aliases], prefixes: [...org.prefixes], markers: [...org.markers] },
    ]),
  );
  const orgOfText = (text: string): Organization | null => {
    const id = orgByKey.get(organizationKey(text));
    return id === undefined ? null : (frozen.get(id) ?? null);
  };

  /** The normalized key, keeping the innermost owner prefix when it is not a known organization. */
  const baseKey = (key: string): { id: string; owner: Organization | null; unknownOwner: boolean } => {
    const { owners, model } = splitOwners(key);
    const normalized = normalizeModelPart(model);
    const last = owners.at(-1);
    if (last === undefined) return { id: normalized, owner: null, unknownOwner: false };
    const owner = orgOfText(last);
    if (owner) return { id: normalized, owner, unknownOwner: false };
    return { id: `${last.toLowerCase().replace(/[^\p{L}\p{N}.]+/gu, '-')}/${normalized}`, owner: null, unknownOwner: true };
  };

  // Model aliases: global ones by normalized key, scoped ones by the source's verbatim key.
  const models = new Map<string, ModelRecord>();
  const globalAlias = new Map<string, string>();
  const aliasFile = new Map<string, string>();
  const scopedAlias = new Map<string, Map<string, string>>();
  for (const layer of layers) {
    const claimedHere = new Map<string, string>();
    const seen = new Set<string>();
    layer.aliases.forEach((entry, index) => {
      const where = `model entry ${index + 1} (id ${JSON.stringify(entry.id)})`;
      const canonical = baseKey(entry.id).id;
      if (canonical !== entry.id) throw new IdentityConfigError(layer.aliasesFile, `${where}: the id must be in normal form; write "${canonical}"`);
      if (seen.has(entry.id)) throw new IdentityConfigError(layer.aliasesFile, `${where}: id appears twice`);
      seen.add(entry.id);
      if (entry.organization !== undefined && !frozen.has(entry.organization)) {
        throw new IdentityConfigError(layer.aliasesFile, `${where}: organization "${entry.organization}" is not in the organization table`);
      }
      const record = models.get(entry.id) ?? { id: entry.id, organization: null };
      if (entry.organization !== undefined) record.organization = entry.organization;
      models.set(entry.id, record);
      const claim = (slot: string, spelling: string) => {
        const other = claimedHere.get(slot);
        if (other !== undefined && other !== entry.id) {
          throw new IdentityConfigError(layer.aliasesFile, `${where}: alias ${spelling} is also an alias of "${other}"`);
        }
        claimedHere.set(slot, entry.id);
      };
      for (const alias of entry.aliases ?? []) {
        if (typeof alias === 'string') {
          const key = baseKey(alias).id;
          if (key === '') throw new IdentityConfigError(layer.aliasesFile, `${where}: alias ${JSON.stringify(alias)} is empty once normalized`);
          if (key === entry.id) continue;
          claim(`global:${key}`, JSON.stringify(alias));
          globalAlias.set(key, entry.id);
          aliasFile.set(key, layer.aliasesFile);
        } else {
          const scope = alias.source.toLowerCase();
          claim(`${scope}:${alias.key}`, `${JSON.stringify(alias.key)} of ${alias.source}`);
          let table = scopedAlias.get(scope);
          if (!table) scopedAlias.set(scope, (table = new Map()));
          table.set(alias.key, entry.id);
        }
      }
    });
  }
  // An alias must not point at an id that is itself an alias of something else (one hop only).
  for (const [key, id] of globalAlias) {
    const next = globalAlias.get(id);
    if (next !== undefined) throw new IdentityConfigError(aliasFile.get(key) ?? ALIASES_FILE, `alias "${key}" points at "${id}", which is itself an alias of "${next}"`);
  }

  const prefixes = [...prefixOwner.entries()].sort((a, b) => b[0].length - a[0].length);

  /** Organization inferred from a normalized model key by the table's model prefixes and markers. */
  const inferOne = (key: string): string | null => {
    const tokens = key.split(/[-.:/]+/);
    for (const token of tokens) {
      for (const [marker, id] of markerOwner) {
        if (token === marker || (token.startsWith(marker) && /^\d/.test(token.slice(marker.length)))) return id;
      }
    }
    for (const [prefix, id] of prefixes) {
      if (!key.startsWith(prefix)) continue;
      // A prefix ending in a Latin letter must end a word (`phi` matches `phi-4`, `phi3`, not `phind`).
      const next = key.charAt(prefix.length);
      if (/[a-z]$/.test(prefix) && /[a-z]/.test(next)) continue;
      return id;
    }
    return null;
  };

  /**
   * Organization from a normalized model key. A key joining models with `+` (a pipeline such as
   * `whisper-v3-large+gpt-4o`) has one only when every part infers the same one.
   */
  const inferOrganization = (key: string): string | null => {
    if (key === '') return null;
    const parts = key.split('+').filter((part) => part !== '');
    if (parts.length <= 1) return inferOne(key);
    const found = new Set(parts.map(inferOne));
    const [only] = found;
    return found.size === 1 && only !== undefined ? only : null;
  };

  const scopedTable = (source: string): Map<string, string> | undefined => {
    const lower = source.toLowerCase();
    for (const [scope, table] of scopedAlias) if (lower === scope || lower.startsWith(`${scope}-`)) return table;
    return undefined;
  };

  // The tables are frozen, so an entry resolves the same way every time: imports and the outbox
  // ask again for the same models file after file.
  const resolved = new Map<string, ResolvedIdentity>();
  const resolve = (source: string, entry: IdentityInput): ResolvedIdentity => {
    const slot = `${source}\u0000${entry.model}\u0000${entry.name}\u0000${entry.organization ?? '\u0001'}`;
    let found = resolved.get(slot);
    if (!found) {
      found = resolveOnce(source, entry);
      resolved.set(slot, found);
    }
    return { ...found };
  };
  const resolveOnce = (source: string, entry: IdentityInput): ResolvedIdentity => {
    const key = modelKeyOf(source, entry);
    const base = baseKey(key);
    const id = scopedTable(source)?.get(key) ?? globalAlias.get(base.id) ?? base.id;
    const fromEntry = entry.organization === null ? null : orgOfText(entry.organization);
    const fromAlias = models.get(id)?.organization ?? null;
    // An unknown owner (`someone/llama-3-8b-merge`) made the model: its base family says nothing.
    const inferred = base.unknownOwner
      ? null
      : (inferOrganization(id) ?? inferOrganization(normalizeModelKey(key)) ?? inferOrganization(normalizeModelKey(entry.name)));
    const organizationId = fromEntry?.id ?? fromAlias ?? base.owner?.id ?? inferred;
    const organization = organizationId === null ? null : (frozen.get(organizationId) ?? null);
    return { id, organization: organization?.id ?? null, country: organization?.country ?? null };
  };

  const unmapped = (entries: Iterable<SourcedInput>): UnmappedItem[] => {
    const items = new Map<string, UnmappedItem & { sourceSet: Set<string> }>();
    for (const entry of entries) {
      const resolved = resolve(entry.source, entry);
      if (resolved.country !== null) continue;
      const kind: UnmappedItem['kind'] = entry.organization === null ? 'model' : 'organization';
      const value = entry.organization ?? entry.model;
      const slot = `${kind}\u0000${value}`;
      let item = items.get(slot);
      if (!item) {
        item = {
          value,
          kind,
          reason: resolved.organization === null ? 'unknown-organization' : 'no-country',
          organization: resolved.organization,
          sources: [],
          entries: 0,
          sourceSet: new Set(),
        };
        items.set(slot, item);
      }
      item.entries++;
      item.sourceSet.add(entry.source);
    }
    return [...items.values()]
      .map(({ sourceSet, ...item }) => ({ ...item, sources: [...sourceSet].sort() }))
      .sort((a, b) => b.entries - a.entries || a.value.localeCompare(b.value));
  };

  return {
    organizations: [...frozen.values()],
    organization: (id) => frozen.get(id) ?? null,
    organizationOf: orgOfText,
    resolve,
    unmapped,
  };
}

/** The scraper of `source`: a scraper id, or a board id starting with one (`aider-polyglot`). */
function scraperOf(source: string): Scraper | undefined {
  const lower = source.toLowerCase();
  return scrapers.find((scraper) => lower === scraper.id || lower.startsWith(`${scraper.id}-`));
}

/** The key that names the model in an entry of `source` (see the module comment, step 1). */
function modelKeyOf(source: string, entry: IdentityInput): string {
  const model = entry.model.trim();
  if (UUID.test(model)) return entry.name.trim();
  const keyOf = scraperOf(source)?.identityKey;
  return keyOf ? keyOf({ model, name: entry.name }) : model;
}

/** Who made each entry of `source` and where, as the aggregates read it. */
export function attributionFor(identity: Identity, source: string): (entry: IdentityInput) => { organization: string | null; country: string | null } {
  return (entry) => {
    const resolved = identity.resolve(source, entry);
    return { organization: resolved.organization, country: resolved.country };
  };
}
