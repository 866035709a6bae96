import { randomBytes, randomInt } from 'node:crypto';
import type { SandboxContext } from './context';
import { HttpProblem, type Route, type SandboxReply, type SandboxRequest, type Service, readJson } from './http';
import { contentHash } from './ledger';
import type { SandboxWorld, Template, WhatsAppContact, WhatsAppNumber } from './world';

/**
 * The WhatsApp Cloud API (Graph API) as the sandbox emulates it (API-FACTS §3, §5): send message, list templates and
 * upload media, at Graph's paths (`/{version}/{id}/{edge}`). It refuses what Meta refuses, in Graph's error envelope
 * `{error:{message,type,code,error_subcode?,error_data:{messaging_product,details},fbtrace_id}}`, and every response
 * carries x-fb-trace-id and x-fb-request-id. There is no idempotency: a repeated request is a second message.
 *
 * Choices where Meta's documentation is ambiguous or silent:
 * - A token that belongs to no number gets 190 (401); a token of another number (or another WABA), or an id the
 *   sandbox does not know, gets Graph's "Object with ID … does not exist" 100/33 (400), as Graph words missing
 *   permission and missing object alike.
 * - `type` is required (the v23.0 spec marks it so, although Meta's guides say it defaults to text). Only `template`
 *   and `text` are emulated; the other Meta types get 131009 saying so, an unknown type 100.
 * - `to`: a leading '+' is stripped; anything but 6–15 digits is 100. A well-formed number that is not a contact of
 *   the sending number, or a contact marked undeliverable, gets 131026 synchronously (Meta often reports it only in
 *   the status webhook).
 * - Template text parameters with a newline, a tab or more than 4 consecutive spaces get 132018 with Meta's details
 *   "Param text cannot have new-line/tab characters or more than 4 consecutive spaces" (132018 "issue with the
 *   parameters in your template", v23+; older versions answered 100). 132012 is kept for format mismatches (a text
 *   where the header wants an image, a named parameter the template does not have).
 * - NAMED templates: a parameter without `parameter_name` is 131008, an unknown or repeated name 132012; positional
 *   templates ignore `parameter_name`. A PAUSED template is 132015; PENDING or REJECTED ones are 132001.
 * - A header image by id must have been uploaded to the same phone number; by link it must be https (or http on the
 *   sandbox's own origin). Anything else is 131009.
 * - Hydrated body text over 1,024 characters (header over 60) is 132005.
 * - Throughput (130429) is counted for every valid send, whatever happens to it next (undeliverable, window closed),
 *   since Meta counts messages, not successes. The pair limit (131056) counts only accepted messages.
 * - Media upload: a declared type other than image/jpeg or image/png is 100 ("Param file must be a file with one of
 *   the following types"); bytes that are not the declared format (a GIF or text called image/png), an empty file or
 *   one over 5 MB is 131053 "Media upload error". Media does not expire.
 * - Template listing: `name` filters exactly; `limit` defaults to 25 and is capped at 100; cursors are opaque (the
 *   template id, base64url); `next`/`previous` URLs are on the sandbox origin and never carry the access token.
 */

const JSON_LIMIT = 1024 * 1024;
const MEDIA_LIMIT = 5 * 1024 * 1024;
/** 5 MB of image plus the multipart envelope. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;
const WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_BODY_TEXT = 1024;
const MAX_HEADER_TEXT = 60;
const MAX_FREE_TEXT = 4096;
const VERSION = /^v\d+\.\d+$/;
const GRAPH_ID = /^\d{1,32}$/;
const PHONE = /^\d{6,15}$/;
/** Meta's rule for template text parameters. */
const BAD_PARAM_TEXT = /[\n\r\t]| {5,}/;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const TEMPLATE_FIELDS = ['id', 'name', 'language', 'status', 'category', 'parameter_format', 'components'] as const;
type TemplateField = (typeof TEMPLATE_FIELDS)[number];
const DEFAULT_PAGE = 25;
const MAX_PAGE = 100;
/** Message types Meta knows that this emulator does not send. */
const OTHER_TYPES = new Set(['audio', 'contacts', 'document', 'image', 'interactive', 'location', 'reaction', 'sticker', 'video']);
const MEDIA_PARAM_TYPES = { IMAGE: 'image', VIDEO: 'video', DOCUMENT: 'document' } as const;

// ---------------------------------------------------------------------------------------------------------------
// Graph errors

interface GraphErrorOptions {
  subcode?: number;
  type?: string;
  headers?: Record<string, string>;
}

/** A refusal raised inside a handler, answered as Graph's error envelope. */
class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly details: string,
    readonly options: GraphErrorOptions = {},
  ) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  100: 'Invalid parameter',
  130429: 'Rate limit hit',
  131000: 'Something went wrong',
  131008: 'Required parameter is missing',
  131009: 'Parameter value is not valid',
  131016: 'Service unavailable',
  131026: 'Message undeliverable',
  131047: 'Re-engagement message',
  131053: 'Media upload error',
  131056: '(Business Account, Consumer Account) pair rate limit hit',
  132000: 'Number of parameters does not match the expected number of params',
  132001: 'Template name does not exist in the translation',
  132005: 'Translated text too long',
  132012: 'Parameter format does not match format in the created template',
  132015: 'Template is Paused due to low quality so it cannot be sent in a template message',
  132018: 'There was an issue with the parameters in your template.',
};

const STATUS_OF: Record<number, number> = { 130429: 429, 131056: 429, 131000: 500, 131016: 503 };

/** A WhatsApp error with Meta's "(#code) title" message and the status of API-FACTS §3.4's table. */
function waError(code: number, details: string, options: GraphErrorOptions = {}): GraphError {
  return new GraphError(STATUS_OF[code] ?? 400, code, `(#${code}) ${TITLES[code] ?? 'Error'}`, details, options);
}

function invalidParameter(details: string): GraphError {
  return waError(100, details);
}

function missingParameter(name: string): GraphError {
  return waError(131008, `The parameter ${name} is required.`);
}

function invalidToken(missing: boolean): GraphError {
  const message = missing
    ? 'An access token is required to request this resource.'
    : 'Error validating access token: The access token is invalid or has expired.';
  return new GraphError(401, 190, message, message, {
    type: 'OAuthException',
    headers: { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"' },
  });
}

function unknownObject(method: string, id: string): GraphError {
  const message =
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing ` +
    'permissions, or does not support this operation. Please read the Graph API documentation at ' +
    'https://developers.facebook.com/docs/graph-api';
  return new GraphError(400, 100, message, message, { subcode: 33, type: 'GraphMethodException' });
}

// Trace and request ids only need to be unique per sandbox, so a random prefix and a counter keep them cheap.
const idPrefix = randomBytes(6).toString('base64url');
let idCounter = 0;
function nextId(lead: string): string {
  idCounter += 1;
  return `${lead}${idPrefix}${idCounter.toString(36).padStart(7, '0')}`;
}

function errorReply(error: GraphError): SandboxReply {
  const body: Record<string, unknown> = { message: error.message, type: error.options.type ?? 'OAuthException', code: error.code };
  if (error.options.subcode !== undefined) body.error_subcode = error.options.subcode;
  body.error_data = { messaging_product: 'whatsapp', details: error.details };
  body.fbtrace_id = nextId('A');
  return { status: error.status, json: { error: body }, headers: { ...error.options.headers } };
}

/** The framework's refusals (and injected faults) in Graph's words. */
function graphProblem(problem: HttpProblem): SandboxReply {
  switch (problem.kind) {
    case 'not_found':
      return errorReply(new GraphError(400, 100, `Unknown path components: ${problem.message.replace(/^No route for /, '')}`, problem.message));
    case 'method_not_allowed':
      return errorReply(
        new GraphError(400, 100, `Unsupported request: ${problem.message}`, problem.message, { subcode: 33, type: 'GraphMethodException' }),
      );
    case 'too_large':
      return errorReply(new GraphError(413, 100, '(#100) Request entity too large', problem.message));
    case 'invalid_json':
    case 'unsupported_media_type':
      return errorReply(invalidParameter(problem.message));
    case 'internal':
      // An injected `status` fault without a body: the Graph error that status usually carries.
      if (problem.status === 401) return errorReply(invalidToken(false));
      if (problem.status === 429) return errorReply(waError(130429, 'Cloud API message throughput has been reached.'));
      if (problem.status === 503) return errorReply(waError(131016, 'A service is temporarily unavailable.'));
      if (problem.status < 500) return errorReply(new GraphError(problem.status, 100, '(#100) Invalid parameter', problem.message));
      return errorReply(new GraphError(problem.status, 131000, '(#131000) Something went wrong', problem.message));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// World index and per-world state

interface Placeholders {
  /** Positional: how many distinct {{n}}; named: the names in order of first use. */
  readonly count: number;
  readonly names: readonly string[];
  /** The text's length without its placeholders, for the hydrated-length check. */
  readonly staticLength: number;
}

interface CompiledTemplate {
  readonly template: Template;
  readonly named: boolean;
  readonly header: { kind: 'none' } | { kind: 'media'; paramType: 'image' | 'video' | 'document' } | { kind: 'text'; placeholders: Placeholders };
  readonly body: Placeholders;
  /** Buttons by index: how many parameters each takes (a dynamic URL suffix takes one). */
  readonly buttons: ReadonlyArray<{ type: string; params: number }>;
}

interface UploadedMedia {
  readonly phoneNumberId: string;
  readonly mimeType: string;
  readonly size: number;
  readonly uploadedAt: number;
}

interface WhatsAppState {
  readonly numbers: Map<string, WhatsAppNumber>;
  readonly wabaNumbers: Map<string, WhatsAppNumber[]>;
  readonly tokens: Set<string>;
  readonly templatesByWaba: Map<string, Template[]>;
  /** `${wabaId}\n${name}\n${language}` → the template with its placeholders counted once. */
  readonly compiled: Map<string, CompiledTemplate>;
  /** Survive a rebuild: uploads, the last accepted message per pair, and the per-number usage window. */
  readonly media: Map<string, UploadedMedia>;
  readonly lastSent: Map<string, number>;
  readonly usage: Map<string, { start: number; used: number }>;
  templateCount: number;
  numberCount: number;
}

function countPlaceholders(text: string | undefined, named: boolean): Placeholders {
  if (!text) return { count: 0, names: [], staticLength: 0 };
  const names: string[] = [];
  let placeholderChars = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    placeholderChars += match[0].length;
    const name = match[1] ?? '';
    if (!names.includes(name)) names.push(name);
  }
  return { count: names.length, names: named ? names : [], staticLength: text.length - placeholderChars };
}

function compile(template: Template): CompiledTemplate {
  const named = template.parameter_format === 'NAMED';
  let header: CompiledTemplate['header'] = { kind: 'none' };
  let body: Placeholders = countPlaceholders(undefined, named);
  const buttons: Array<{ type: string; params: number }> = [];
  for (const component of template.components) {
    if (component.type === 'HEADER') {
      const format = component.format ?? 'TEXT';
      header = format === 'TEXT' ? { kind: 'text', placeholders: countPlaceholders(component.text, named) } : { kind: 'media', paramType: MEDIA_PARAM_TYPES[format] };
    } else if (component.type === 'BODY') {
      body = countPlaceholders(component.text, named);
    } else if (component.type === 'BUTTONS') {
      for (const button of component.buttons ?? []) {
        const type = typeof button.type === 'string' ? button.type : 'QUICK_REPLY';
        const url = typeof button.url === 'string' ? button.url : '';
        buttons.push({ type, params: type === 'URL' ? countPlaceholders(url, false).count : 0 });
      }
    }
  }
  return { template, named, header, body, buttons };
}

/** Keyed by world so state dies with its sandbox; rebuilt (keeping uploads and pair times) if the world grows. */
const states = new WeakMap<SandboxWorld, WhatsAppState>();

function whatsappState(world: SandboxWorld): WhatsAppState {
  const existing = states.get(world);
  if (existing && existing.templateCount === world.templates.length && existing.numberCount === world.whatsappNumbers.length) return existing;
  const state: WhatsAppState = {
    numbers: new Map(),
    wabaNumbers: new Map(),
    tokens: new Set(),
    templatesByWaba: new Map(),
    compiled: new Map(),
    media: existing?.media ?? new Map(),
    lastSent: existing?.lastSent ?? new Map(),
    usage: existing?.usage ?? new Map(),
    templateCount: world.templates.length,
    numberCount: world.whatsappNumbers.length,
  };
  for (const number of world.whatsappNumbers) {
    state.numbers.set(number.phoneNumberId, number);
    state.tokens.add(number.accessToken);
    const list = state.wabaNumbers.get(number.wabaId) ?? [];
    list.push(number);
    state.wabaNumbers.set(number.wabaId, list);
  }
  for (const template of world.templates) {
    const list = state.templatesByWaba.get(template.wabaId) ?? [];
    list.push(template);
    state.templatesByWaba.set(template.wabaId, list);
    state.compiled.set(`${template.wabaId}\n${template.name}\n${template.language}`, compile(template));
  }
  states.set(world, state);
  return state;
}

// ---------------------------------------------------------------------------------------------------------------
// Request helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bearer(req: SandboxRequest): string | undefined {
  const value = req.headers.authorization;
  if (value === undefined) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(value)?.[1] ?? '';
}

function checkVersion(req: SandboxRequest): void {
  const version = req.params.version ?? '';
  if (!VERSION.test(version)) throw new HttpProblem('not_found', 404, `No route for ${req.path}`);
}

/** The number the path names, if the bearer token is its own; 190 or 100/33 otherwise. */
function authenticateNumber(req: SandboxRequest, state: WhatsAppState): WhatsAppNumber {
  checkVersion(req);
  const token = bearer(req);
  if (!token || !state.tokens.has(token)) throw invalidToken(!token);
  const id = req.params.phoneNumberId ?? '';
  const number = state.numbers.get(id);
  if (!number || number.accessToken !== token) throw unknownObject(req.method, id);
  return number;
}

/** The WABA the path names, if the token is one of its numbers'; 190 or 100/33 otherwise. */
function authenticateWaba(req: SandboxRequest, state: WhatsAppState): string {
  checkVersion(req);
  const token = bearer(req);
  if (!token || !state.tokens.has(token)) throw invalidToken(!token);
  const id = req.params.wabaId ?? '';
  const numbers = state.wabaNumbers.get(id);
  if (!numbers?.some((number) => number.accessToken === token)) throw unknownObject(req.method, id);
  return id;
}

function stringField(object: Record<string, unknown>, key: string, path: string): string {
  const value = object[key];
  if (value === undefined || value === null) throw missingParameter(path);
  if (typeof value !== 'string') throw invalidParameter(`The parameter ${path} must be a string.`);
  return value;
}

/** How full the number's one-second window is, as Graph's x-business-use-case-usage reports it (percent). */
function usageHeader(state: WhatsAppState, number: WhatsAppNumber, ctx: SandboxContext, throttled: boolean): string {
  const now = ctx.clock.now();
  let window = state.usage.get(number.phoneNumberId);
  if (!window || now - window.start >= 1000) {
    window = { start: now - (now % 1000), used: 0 };
    state.usage.set(number.phoneNumberId, window);
  }
  if (!throttled) window.used += 1;
  const limit = ctx.limits.whatsappMessagesPerSecond;
  const percent = Number.isFinite(limit) ? Math.min(100, Math.round((window.used / limit) * 100)) : 0;
  const regain = throttled ? Math.max(0, window.start + 1000 - now) : 0;
  return JSON.stringify({
    [number.wabaId]: [
      // estimated_time_to_regain_access is in minutes in Graph; sub-minute waits round up to 1.
      { type: 'whatsapp', call_count: percent, total_cputime: percent, total_time: percent, estimated_time_to_regain_access: regain > 0 ? 1 : 0 },
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// /messages

interface ValidatedSend {
  to: string;
  waId: string;
  type: 'template' | 'text';
  /** What the ledger hashes. */
  content: unknown;
}

function checkParamText(text: unknown, component: string, maxLength: number): string {
  if (typeof text !== 'string' || text.length === 0) {
    throw waError(132012, `${component}: Format mismatch, expected a non-empty text parameter.`);
  }
  if (text.length > maxLength) throw waError(132005, `${component}: parameter text is too long.`);
  // Meta's rule for template text parameters (body and header alike).
  if (BAD_PARAM_TEXT.test(text)) throw waError(132018, 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces');
  return text;
}

/** Checks one body/header component's text parameters against the template's placeholders. */
function checkTextParameters(component: string, placeholders: Placeholders, parameters: unknown[], named: boolean, maxTotal: number): void {
  if (parameters.length !== placeholders.count) {
    throw waError(
      132000,
      `${component}: number of localizable_params (${parameters.length}) does not match the expected number of params (${placeholders.count})`,
    );
  }
  const seen = new Set<string>();
  let hydrated = placeholders.staticLength;
  parameters.forEach((parameter, index) => {
    if (!isRecord(parameter)) throw invalidParameter(`${component}: parameters[${index}] must be an object.`);
    const type = parameter.type;
    if (type === undefined) throw missingParameter(`${component}.parameters[${index}].type`);
    if (named) {
      const name = parameter.parameter_name;
      if (name === undefined) throw missingParameter(`${component}.parameters[${index}].parameter_name`);
      if (typeof name !== 'string' || !placeholders.names.includes(name) || seen.has(name)) {
        throw waError(132012, `${component}: parameter_name '${String(name)}' does not match a parameter of the template (${placeholders.names.join(', ')}).`);
      }
      seen.add(name);
    }
    if (type === 'text') {
      hydrated += checkParamText(parameter.text, component, MAX_BODY_TEXT).length;
    } else if ((type === 'currency' || type === 'date_time') && component === 'body') {
      const inner = parameter[type];
      const fallback = isRecord(inner) ? inner.fallback_value : undefined;
      hydrated += checkParamText(fallback, component, MAX_BODY_TEXT).length;
    } else {
      throw waError(132012, `${component}: Format mismatch, expected TEXT, received ${String(type).toUpperCase()}`);
    }
  });
  if (hydrated > maxTotal) throw waError(132005, `${component}: hydrated text is ${hydrated} characters, more than ${maxTotal}.`);
}

function checkMediaParameter(
  parameters: unknown[],
  paramType: 'image' | 'video' | 'document',
  number: WhatsAppNumber,
  state: WhatsAppState,
  ctx: SandboxContext,
): void {
  if (parameters.length !== 1) {
    throw waError(132000, `header: number of localizable_params (${parameters.length}) does not match the expected number of params (1)`);
  }
  const parameter = parameters[0];
  if (!isRecord(parameter)) throw invalidParameter('header: parameters[0] must be an object.');
  if (parameter.type !== paramType) {
    throw waError(132012, `header: Format mismatch, expected ${paramType.toUpperCase()}, received ${String(parameter.type ?? 'UNKNOWN').toUpperCase()}`);
  }
  const media = parameter[paramType];
  if (!isRecord(media)) throw missingParameter(`header.parameters[0].${paramType}`);
  const { id, link } = media;
  if ((id === undefined) === (link === undefined)) throw waError(131009, `header: ${paramType} needs exactly one of id or link.`);
  if (id !== undefined) {
    const uploaded = typeof id === 'string' ? state.media.get(id) : undefined;
    if (!uploaded || uploaded.phoneNumberId !== number.phoneNumberId) {
      throw waError(131009, `header: media id '${String(id)}' was not uploaded to phone number ${number.phoneNumberId}.`);
    }
    return;
  }
  let url: URL | null = null;
  try {
    url = typeof link === 'string' ? new URL(link) : null;
  } catch {
    url = null;
  }
  // https anywhere, or plain http only on the sandbox itself (its hosted media).
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && url.origin === ctx.origin))) {
    throw waError(131009, `header: ${paramType}.link must be a valid HTTPS URL.`);
  }
}

function componentParameters(component: Record<string, unknown>, label: string): unknown[] {
  const parameters = component.parameters ?? [];
  if (!Array.isArray(parameters)) throw invalidParameter(`${label}: parameters must be an array.`);
  return parameters;
}

function validateTemplate(value: unknown, number: WhatsAppNumber, state: WhatsAppState, ctx: SandboxContext): unknown {
  if (value === undefined || value === null) throw missingParameter('template');
  if (!isRecord(value)) throw invalidParameter('The parameter template must be an object.');
  const name = stringField(value, 'name', 'template.name');
  const language = value.language;
  if (language === undefined || language === null) throw missingParameter('template.language');
  if (!isRecord(language)) throw invalidParameter('The parameter template.language must be an object.');
  const code = stringField(language, 'code', 'template.language.code');
  if (language.policy !== undefined && language.policy !== 'deterministic') {
    throw waError(131009, "template.language.policy must be 'deterministic'.");
  }
  const compiled = state.compiled.get(`${number.wabaId}\n${name}\n${code}`);
  if (!compiled || compiled.template.status === 'PENDING' || compiled.template.status === 'REJECTED') {
    throw waError(132001, `template name (${name}) does not exist in ${code}`);
  }
  if (compiled.template.status === 'PAUSED') throw waError(132015, `template ${name} in ${code} is paused.`);

  const components = value.components ?? [];
  if (!Array.isArray(components)) throw invalidParameter('The parameter template.components must be an array.');
  let header: unknown[] = [];
  let body: unknown[] = [];
  const buttons = new Map<number, unknown[]>();
  let sawHeader = false;
  let sawBody = false;
  components.forEach((component, index) => {
    if (!isRecord(component)) throw invalidParameter(`template.components[${index}] must be an object.`);
    const type = typeof component.type === 'string' ? component.type.toLowerCase() : component.type;
    if (type === undefined) throw missingParameter(`template.components[${index}].type`);
    if (type === 'header' || type === 'body') {
      if ((type === 'header' && sawHeader) || (type === 'body' && sawBody)) throw waError(131009, `template: more than one ${type} component.`);
      if (type === 'header') [sawHeader, header] = [true, componentParameters(component, 'header')];
      else [sawBody, body] = [true, componentParameters(component, 'body')];
    } else if (type === 'button') {
      const buttonIndex = Number(component.index);
      const button = Number.isInteger(buttonIndex) ? compiled.buttons[buttonIndex] : undefined;
      if (!button || buttons.has(buttonIndex)) throw waError(131009, `template.components[${index}]: no button at index ${String(component.index)}.`);
      buttons.set(buttonIndex, componentParameters(component, `button ${buttonIndex}`));
    } else {
      throw waError(131009, `template.components[${index}].type must be header, body or button.`);
    }
  });

  const spec = compiled.header;
  if (spec.kind === 'media') checkMediaParameter(header, spec.paramType, number, state, ctx);
  else if (spec.kind === 'text') checkTextParameters('header', spec.placeholders, header, compiled.named, MAX_HEADER_TEXT);
  else if (header.length > 0) throw waError(132000, `header: number of localizable_params (${header.length}) does not match the expected number of params (0)`);
  checkTextParameters('body', compiled.body, body, compiled.named, MAX_BODY_TEXT);
  compiled.buttons.forEach((button, index) => {
    const given = buttons.get(index) ?? [];
    if (given.length !== button.params) {
      throw waError(132000, `button ${index}: number of localizable_params (${given.length}) does not match the expected number of params (${button.params})`);
    }
  });
  return value;
}

function validateText(value: unknown): unknown {
  if (value === undefined || value === null) throw missingParameter('text');
  if (!isRecord(value)) throw invalidParameter('The parameter text must be an object.');
  const body = stringField(value, 'body', "text['body']");
  if (body.length === 0) throw missingParameter("text['body']");
  if (body.length > MAX_FREE_TEXT) throw invalidParameter(`Param text['body'] must be at most ${MAX_FREE_TEXT} characters long.`);
  if (value.preview_url !== undefined && typeof value.preview_url !== 'boolean') throw invalidParameter('text.preview_url must be a boolean.');
  return body;
}

function validateSend(value: unknown, number: WhatsAppNumber, state: WhatsAppState, ctx: SandboxContext): ValidatedSend {
  if (!isRecord(value)) throw invalidParameter('The request body must be a JSON object.');
  const product = value.messaging_product;
  if (product === undefined || product === null) throw missingParameter('messaging_product');
  if (product !== 'whatsapp') throw invalidParameter("The parameter messaging_product must be 'whatsapp'.");
  if (value.recipient_type !== undefined && value.recipient_type !== 'individual') {
    throw waError(131009, "recipient_type must be 'individual' (group messages are not emulated).");
  }
  const to = stringField(value, 'to', 'to');
  const waId = to.startsWith('+') ? to.slice(1) : to;
  if (!PHONE.test(waId)) throw invalidParameter(`The parameter to (${to}) is not a valid phone number.`);
  const type = value.type;
  if (type === undefined || type === null) throw missingParameter('type');
  if (type === 'template') return { to, waId, type, content: validateTemplate(value.template, number, state, ctx) };
  if (type === 'text') return { to, waId, type, content: validateText(value.text) };
  if (typeof type === 'string' && OTHER_TYPES.has(type)) throw waError(131009, `Message type ${type} is not emulated by the sandbox; send template or text.`);
  throw invalidParameter(`The parameter type (${String(type)}) is not a valid message type.`);
}

function wamid(waId: string): string {
  return `wamid.${Buffer.from(`HBgM${waId}FQIAERgS${nextId('')}`).toString('base64')}`;
}

function sendMessage(req: SandboxRequest, ctx: SandboxContext): SandboxReply {
  const state = whatsappState(ctx.world);
  const number = authenticateNumber(req, state);
  if (req.body.length > JSON_LIMIT) throw new HttpProblem('too_large', 413, 'A /messages body may not exceed 1 MB');
  const send = validateSend(readJson(req), number, state, ctx);

  if (!ctx.rate.take(`wa:${number.phoneNumberId}`, ctx.limits.whatsappMessagesPerSecond)) {
    throw waError(130429, 'Cloud API message throughput has been reached.', {
      headers: { 'x-business-use-case-usage': usageHeader(state, number, ctx, true) },
    });
  }
  const contact: WhatsAppContact | undefined = ctx.world.whatsappContacts.get(send.waId);
  if (!contact || contact.phoneNumberId !== number.phoneNumberId || contact.undeliverable) {
    throw waError(131026, 'Message failed to send because the recipient is not a WhatsApp user, has not accepted the terms, or uses an old client.');
  }
  const now = ctx.clock.now();
  if (send.type === 'text' && (contact.lastInboundAt === null || now - contact.lastInboundAt > WINDOW_MS)) {
    throw waError(131047, 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.');
  }
  const pairKey = `${number.phoneNumberId}:${send.waId}`;
  const last = state.lastSent.get(pairKey);
  if (last !== undefined && now - last < ctx.limits.whatsappPairIntervalMs) {
    throw waError(131056, 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.');
  }
  state.lastSent.set(pairKey, now);

  const id = wamid(send.waId);
  ctx.ledger.record({ channel: 'whatsapp', account: number.phoneNumberId, recipient: send.waId, id, at: now, contentHash: contentHash(send.content) });
  return {
    status: 200,
    json: { messaging_product: 'whatsapp', contacts: [{ input: send.to, wa_id: send.waId }], messages: [{ id, message_status: 'accepted' }] },
    headers: { 'x-business-use-case-usage': usageHeader(state, number, ctx, false) },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// /message_templates

function encodeCursor(template: Template): string {
  return Buffer.from(template.id).toString('base64url');
}

function cursorIndex(list: readonly Template[], cursor: string): number {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  const index = GRAPH_ID.test(id) ? list.findIndex((template) => template.id === id) : -1;
  if (index < 0) throw invalidParameter(`Invalid cursor: ${cursor}`);
  return index;
}

function parseFields(value: string | null): readonly TemplateField[] {
  if (value === null || value.trim() === '') return TEMPLATE_FIELDS;
  const fields = value.split(',').map((field) => field.trim()).filter(Boolean);
  for (const field of fields) {
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(field)) {
      throw invalidParameter(`(#100) Tried accessing nonexisting field (${field}) on node type (WhatsAppBusinessHSM)`);
    }
  }
  // id is always returned, as Graph does.
  return ['id', ...(fields as TemplateField[]).filter((field) => field !== 'id')];
}

function templateView(template: Template, fields: readonly TemplateField[]): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const field of fields) view[field] = template[field];
  return view;
}

function listTemplates(req: SandboxRequest, ctx: SandboxContext): SandboxReply {
  const state = whatsappState(ctx.world);
  const wabaId = authenticateWaba(req, state);
  const limitText = req.query.get('limit');
  const limit = limitText === null ? DEFAULT_PAGE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) throw invalidParameter(`The parameter limit (${limitText ?? ''}) must be a positive integer.`);
  const pageSize = Math.min(limit, MAX_PAGE);
  const fields = parseFields(req.query.get('fields'));
  const name = req.query.get('name');
  const all = state.templatesByWaba.get(wabaId) ?? [];
  const list = name === null ? all : all.filter((template) => template.name === name);

  const after = req.query.get('after');
  const before = req.query.get('before');
  let start = 0;
  let end: number;
  if (after !== null) {
    start = cursorIndex(list, after) + 1;
    end = Math.min(list.length, start + pageSize);
  } else if (before !== null) {
    end = cursorIndex(list, before);
    start = Math.max(0, end - pageSize);
  } else {
    end = Math.min(list.length, pageSize);
  }
  const page = list.slice(start, end);
  const first = page[0];
  const last = page[page.length - 1];
  if (!first || !last) return { status: 200, json: { data: [] } };

  const link = (cursor: 'after' | 'before', template: Template): string => {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (name !== null) query.set('name', name);
    if (req.query.get('fields') !== null) query.set('fields', fields.join(','));
    query.set(cursor, encodeCursor(template));
    return `${ctx.origin}/${req.params.version ?? ''}/${wabaId}/message_templates?${query.toString()}`;
  };
  const paging: Record<string, unknown> = { cursors: { before: encodeCursor(first), after: encodeCursor(last) } };
  if (start > 0) paging.previous = link('before', first);
  if (end < list.length) paging.next = link('after', last);
  return { status: 200, json: { data: page.map((template) => templateView(template, fields)), paging } };
}

// ---------------------------------------------------------------------------------------------------------------
// /media

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
const ACCEPTED_MEDIA = ['image/jpeg', 'image/png'];

function sniffImage(bytes: Buffer): 'image/png' | 'image/jpeg' | null {
  if (bytes.subarray(0, PNG_MAGIC.length).equals(PNG_MAGIC)) return 'image/png';
  if (bytes.subarray(0, JPEG_MAGIC.length).equals(JPEG_MAGIC)) return 'image/jpeg';
  return null;
}

async function uploadMedia(req: SandboxRequest, ctx: SandboxContext): Promise<SandboxReply> {
  const state = whatsappState(ctx.world);
  const number = authenticateNumber(req, state);
  if (req.contentType !== 'multipart/form-data') {
    throw invalidParameter(`Upload media as multipart/form-data (received ${req.contentType || 'no content type'}).`);
  }
  let form: FormData;
  try {
    // Node's fetch implementation parses multipart, so no extra package is needed.
    form = await new Response(req.body, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
  } catch {
    throw invalidParameter('The multipart body could not be parsed.');
  }
  const product = form.get('messaging_product');
  if (product === null) throw missingParameter('messaging_product');
  if (product !== 'whatsapp') throw invalidParameter("The parameter messaging_product must be 'whatsapp'.");
  const file = form.get('file');
  if (file === null) throw missingParameter('file');
  if (typeof file === 'string') throw invalidParameter('The parameter file must be a file upload.');
  const declared = file.type.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!ACCEPTED_MEDIA.includes(declared)) {
    throw invalidParameter(`Param file must be a file with one of the following types: ${ACCEPTED_MEDIA.join(', ')}. Received file of type '${declared}'.`);
  }
  if (file.size === 0) throw waError(131053, 'The uploaded file is empty.');
  if (file.size > MEDIA_LIMIT) throw waError(131053, `Image file size (${file.size} bytes) exceeds the 5 MB limit.`);
  const bytes = Buffer.from(await file.arrayBuffer());
  const actual = sniffImage(bytes);
  if (actual !== declared) {
    throw waError(131053, `The file's content (${actual ?? 'unknown format'}) does not match its declared type ${declared}.`);
  }
  // Graph media ids are numeric strings (16 digits here).
  let id = '';
  do id = `${randomInt(1, 10)}${String(randomInt(0, 2 ** 48 - 1)).padStart(15, '0')}`;
  while (state.media.has(id));
  state.media.set(id, { phoneNumberId: number.phoneNumberId, mimeType: declared, size: file.size, uploadedAt: ctx.clock.now() });
  return { status: 200, json: { id } };
}

// ---------------------------------------------------------------------------------------------------------------

/** Catches a handler's GraphError and answers it in Graph's envelope; framework problems pass through. */
function graphRoute(method: Route['method'], pattern: string, name: string, handle: Route['handle']): Route {
  return {
    method,
    pattern,
    name,
    async handle(req, ctx) {
      try {
        return await handle(req, ctx);
      } catch (error) {
        if (error instanceof GraphError) return errorReply(error);
        throw error;
      }
    },
  };
}

export function createWhatsAppService(): Service {
  return {
    name: 'whatsapp',
    owns: (path) => VERSION.test(path.split('/')[1] ?? ''),
    maxBodyBytes: MAX_BODY_BYTES,
    problem: graphProblem,
    routes: [
      graphRoute('POST', '/:version/:phoneNumberId/messages', 'whatsapp.messages', sendMessage),
      graphRoute('GET', '/:version/:wabaId/message_templates', 'whatsapp.templates', listTemplates),
      graphRoute('POST', '/:version/:phoneNumberId/media', 'whatsapp.media', uploadMedia),
    ],
    decorate(reply, req) {
      const headers = (reply.headers ??= {});
      const body = reply.json;
      // The trace id in the header is the one in the error body, so a log line can be matched to a response.
      const trace = isRecord(body) && isRecord(body.error) && typeof body.error.fbtrace_id === 'string' ? body.error.fbtrace_id : nextId('A');
      headers['x-fb-trace-id'] = trace;
      headers['x-fb-request-id'] = nextId('A');
      const version = req?.params.version;
      if (version !== undefined && VERSION.test(version)) headers['facebook-api-version'] = version;
    },
  };
}
