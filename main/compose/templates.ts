import type { NumberTemplates, TemplateCatalog, TemplateChoice, TemplateInfo, TemplateUnsupported } from '../../preload/contract';
import { type GraphClient, type WabaTemplate, createGraphClient } from '../channels/whatsapp/client';
import type { ClassifiedGraphError } from '../channels/whatsapp/errors';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { WhatsAppCredentials } from '../session';
import type { Database } from '../store/db';
import {
  type TemplateRow,
  clearTemplateCache,
  getTemplate,
  getTemplateFetch,
  listTemplates,
  recordTemplateFetchError,
  replaceTemplates,
} from '../store/templates';

/**
 * WhatsApp templates for the composer (API-FACTS §3.2): Meta's list parsed into what the composer can show and fill,
 * cached per phone number in SQLite so drafts can be composed and checked offline.
 */

/** Why a template cannot be sent from the app, beyond its status (TemplateInfo.unsupported; the contract lists them). */
export type UnsupportedReason = TemplateUnsupported;

/** Meta's placeholders: {{1}} (positional) or {{first_name}} (named). */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const POSITIONAL_KEY = /^[1-9]\d*$/;
/** As buildTemplateMessage accepts a NAMED parameter's name. */
const NAMED_KEY = /^[a-z0-9_]{1,64}$/;
/** The contract's TemplateChoice: a template that does not fit it could never be chosen. */
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/;
const MAX_PARAMS = 100;
const HANDLED_COMPONENTS: ReadonlySet<string> = new Set(['HEADER', 'BODY', 'FOOTER', 'BUTTONS']);
/** Buttons whose value is given at send time (Meta then requires a button component per message). */
const PARAMETER_BUTTONS: ReadonlySet<string> = new Set(['COPY_CODE', 'OTP', 'CATALOG', 'MPM', 'SPM']);

/** The fields the composer needs (id comes with every Graph object). */
export const TEMPLATE_FIELDS = ['name', 'language', 'status', 'category', 'parameter_format', 'components'] as const;
/** Graph's largest page, so a business account's templates take one or two requests. */
const PAGE_SIZE = 100;
const GRAPH_ID = /^\d{1,32}$/;

type UnknownRecord = Record<string, unknown>;

function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function upper(value: unknown): string | null {
  return typeof value === 'string' ? value.toUpperCase() : null;
}

/** The keys of a text's placeholders, in order of first appearance. */
export function placeholderKeys(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(PLACEHOLDER), (match) => match[1] ?? ''))];
}

/** The text with each placeholder replaced by `value(key)`, or left as typed when that gives null (one pass). */
export function fillPlaceholders(text: string, value: (key: string) => string | null): string {
  return text.replace(PLACEHOLDER, (placeholder, key: string) => value(key) ?? placeholder);
}

function examplesOf(body: UnknownRecord, named: boolean): Map<string, string> {
  const examples = new Map<string, string>();
  const example = body.example;
  if (!isRecord(example)) return examples;
  if (named) {
    const list = example.body_text_named_params;
    if (!Array.isArray(list)) return examples;
    for (const item of list) {
      if (!isRecord(item)) continue;
      const name = stringOf(item.param_name);
      const value = stringOf(item.example);
      if (name !== null && value !== null && !examples.has(name)) examples.set(name, value);
    }
    return examples;
  }
  const rows = example.body_text;
  const first: unknown = Array.isArray(rows) ? rows[0] : undefined;
  if (!Array.isArray(first)) return examples;
  first.forEach((value: unknown, index) => {
    if (typeof value === 'string') examples.set(String(index + 1), value);
  });
  return examples;
}

function paramsFit(keys: readonly string[], named: boolean): boolean {
  if (named) return keys.every((key) => NAMED_KEY.test(key) && !POSITIONAL_KEY.test(key));
  // Positional parameters are {{1}}…{{n}}, each used: the send lists them in that order.
  if (!keys.every((key) => POSITIONAL_KEY.test(key))) return false;
  const numbers = new Set(keys.map(Number));
  return keys.every((key) => Number(key) <= keys.length) && numbers.size === keys.length;
}

interface RawTemplate {
  name?: unknown;
  language?: unknown;
  status?: unknown;
  category?: unknown;
  parameter_format?: unknown;
  components?: unknown;
}

function parseRaw(raw: RawTemplate): TemplateInfo | null {
  const name = stringOf(raw.name);
  const language = stringOf(raw.language);
  if (name === null || language === null || !TEMPLATE_NAME.test(name) || !LANGUAGE.test(language)) return null;
  const components = (Array.isArray(raw.components) ? raw.components : []).filter(isRecord);
  const ofType = (type: string): UnknownRecord | undefined => components.find((component) => upper(component.type) === type);
  const parameterFormat = upper(raw.parameter_format) === 'NAMED' ? 'NAMED' : 'POSITIONAL';
  const problems: UnsupportedReason[] = [];

  const bodyComponent = ofType('BODY');
  const body = stringOf(bodyComponent?.text) ?? '';
  if (body.trim() === '') problems.push('no_body');

  let header: TemplateInfo['header'] = { format: 'NONE', text: null };
  const headerComponent = ofType('HEADER');
  if (headerComponent) {
    const text = stringOf(headerComponent.text);
    const format = upper(headerComponent.format) ?? (text !== null ? 'TEXT' : null);
    if (format === 'IMAGE') header = { format: 'IMAGE', text: null };
    else if (format === 'TEXT' && text !== null && text.trim() !== '' && placeholderKeys(text).length === 0) header = { format: 'TEXT', text };
    else {
      header = { format: 'OTHER', text: format === 'TEXT' ? text : null };
      problems.push('header_format');
    }
  }

  if (components.some((component) => !HANDLED_COMPONENTS.has(upper(component.type) ?? ''))) problems.push('component_type');

  const buttons: string[] = [];
  const buttonList = ofType('BUTTONS')?.buttons;
  for (const button of Array.isArray(buttonList) ? buttonList : []) {
    if (!isRecord(button)) continue;
    const text = stringOf(button.text);
    if (text !== null) buttons.push(text);
    const type = upper(button.type);
    const url = stringOf(button.url);
    const needsValue = (type !== null && PARAMETER_BUTTONS.has(type)) || (type === 'URL' && url !== null && url.includes('{{'));
    if (needsValue && !problems.includes('button_parameters')) problems.push('button_parameters');
  }

  const named = parameterFormat === 'NAMED';
  const keys = placeholderKeys(body);
  // A text with braces that are not a valid placeholder ("{{ }}", "{{first-name}}") is not what Meta approves.
  const stray = body.replace(PLACEHOLDER, '').includes('{{');
  if (stray || !paramsFit(keys, named)) problems.push('param_format');
  if (keys.length > MAX_PARAMS) problems.push('too_many_params');
  const examples = bodyComponent ? examplesOf(bodyComponent, named) : new Map<string, string>();

  return {
    name,
    language,
    status: upper(raw.status) ?? 'UNKNOWN',
    category: stringOf(raw.category),
    parameterFormat,
    header,
    body,
    footer: stringOf(ofType('FOOTER')?.text),
    buttons,
    params: keys.map((key) => ({ key, example: examples.get(key) ?? null })),
    unsupported: problems[0] ?? null,
  };
}

/**
 * A Meta template as the composer needs it: header format, body, footer, button texts, the body's parameters in
 * order of first appearance with Meta's examples, and why the app cannot send it (null when it can, once APPROVED).
 * Null when it has no usable name or language. Never throws on malformed components.
 */
export function parseTemplate(raw: WabaTemplate): TemplateInfo | null {
  return parseRaw(raw);
}

function rowOf(raw: WabaTemplate): Omit<TemplateRow, 'phoneNumberId'> | null {
  const info = parseRaw(raw);
  if (info === null) return null;
  return {
    name: info.name,
    language: info.language,
    templateId: raw.id,
    status: info.status,
    category: info.category,
    parameterFormat: info.parameterFormat,
    components: JSON.stringify(Array.isArray(raw.components) ? raw.components : []),
  };
}

function infoOf(row: TemplateRow): TemplateInfo | null {
  let components: unknown = [];
  try {
    components = JSON.parse(row.components);
  } catch {
    // The column is CHECKed as a JSON array; a broken file still must not break the composer.
  }
  return parseRaw({
    name: row.name,
    language: row.language,
    status: row.status,
    category: row.category,
    parameter_format: row.parameterFormat,
    components,
  });
}

/** The short code a failed refresh records (the UI translates it). */
export function templateFetchError(error: ClassifiedGraphError): string {
  if (error.status === null) return 'unreachable';
  if (error.kind === 'auth') return 'invalid_credentials';
  // A 2xx the client could not read, or an error that is not Graph's (a proxy's page, a wrong base URL).
  if (error.status < 300 || (error.code === null && error.kind === 'permanent')) return 'bad_server_response';
  return error.reason;
}

export interface TemplateCache {
  /** The cached catalog for the given numbers, in their order (from the database: works offline). */
  catalog(numbers: readonly WhatsAppCredentials[]): TemplateCatalog;
  /**
   * Fetches every number's templates concurrently. A success replaces that number's cached rows in one transaction;
   * a failure keeps them and records the error ('unreachable', 'invalid_credentials', 'bad_server_response', or the
   * Graph reason). Returns catalog(numbers). Never rejects.
   */
  refresh(numbers: readonly WhatsAppCredentials[]): Promise<TemplateCatalog>;
  find(phoneNumberId: string, choice: TemplateChoice): TemplateInfo | null;
  /** Forget everything (sign-out, another account); a refresh under way then writes nothing. */
  clear(): void;
}

export interface TemplateCacheDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** The Graph client for a number (tests inject one); default: createGraphClient with the number's credentials. */
  graph?: (number: WhatsAppCredentials) => GraphClient;
}

function defaultGraph(number: WhatsAppCredentials): GraphClient {
  return createGraphClient({ baseURL: number.apiBaseUrl, version: number.graphVersion, accessToken: number.accessToken });
}

export function createTemplateCache(deps: TemplateCacheDeps): TemplateCache {
  const { db, clock, logger } = deps;
  const graphFor = deps.graph ?? defaultGraph;
  // Bumped by clear(): a fetch that started before a sign-out must not bring the old account's templates back.
  let generation = 0;

  function entry(number: WhatsAppCredentials): NumberTemplates {
    const fetch = getTemplateFetch(db, number.phoneNumberId);
    const templates: TemplateInfo[] = [];
    for (const row of listTemplates(db, number.phoneNumberId)) {
      const info = infoOf(row);
      if (info !== null) templates.push(info);
    }
    return {
      phoneNumberId: number.phoneNumberId,
      name: number.name,
      displayNumber: number.displayNumber,
      fetchedAt: fetch?.fetchedAt ?? null,
      error: fetch?.error ?? null,
      templates,
    };
  }

  function catalog(numbers: readonly WhatsAppCredentials[]): TemplateCatalog {
    return { numbers: numbers.map(entry) };
  }

  function recordFailure(number: WhatsAppCredentials, code: string, detail: string): void {
    recordTemplateFetchError(db, number.phoneNumberId, code, clock.now());
    logger.warn('whatsapp templates: refresh failed', { phoneNumberId: number.phoneNumberId, error: code, detail });
  }

  async function refreshOne(number: WhatsAppCredentials, started: number): Promise<void> {
    let client: GraphClient;
    try {
      if (!GRAPH_ID.test(number.wabaId)) throw new Error(`not a WABA id: ${number.wabaId}`);
      client = graphFor(number);
    } catch (error) {
      // An invalid Graph version or WABA id: the workspace's channel settings, not the network.
      recordFailure(number, 'invalid_credentials', error instanceof Error ? error.message : String(error));
      return;
    }
    let result: Awaited<ReturnType<GraphClient['listAllTemplates']>>;
    try {
      result = await client.listAllTemplates(number.wabaId, { fields: TEMPLATE_FIELDS, limit: PAGE_SIZE });
    } catch (error) {
      // The client answers results; an injected one that throws is treated as a failure of this number only.
      if (generation === started) recordFailure(number, 'wa_unknown', error instanceof Error ? error.message : String(error));
      return;
    }
    if (generation !== started) return;
    if (!result.ok) {
      recordFailure(number, templateFetchError(result.error), result.error.detail);
      return;
    }
    const rows: Array<Omit<TemplateRow, 'phoneNumberId'>> = [];
    for (const raw of result.value) {
      const row = rowOf(raw);
      if (row !== null) rows.push(row);
    }
    replaceTemplates(db, number.phoneNumberId, rows, clock.now());
    logger.info('whatsapp templates: refreshed', {
      phoneNumberId: number.phoneNumberId,
      templates: rows.length,
      skipped: result.value.length - rows.length,
    });
  }

  return {
    catalog,
    async refresh(numbers) {
      const started = generation;
      await Promise.all(numbers.map((number) => refreshOne(number, started)));
      return catalog(numbers);
    },
    find(phoneNumberId, choice) {
      const row = getTemplate(db, phoneNumberId, choice.name, choice.language);
      return row === undefined ? null : infoOf(row);
    },
    clear() {
      generation += 1;
      clearTemplateCache(db);
    },
  };
}
