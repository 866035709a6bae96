/**
 * OpenAPI request/response validator for the conformance tests (DESIGN §8).
 *
 * The official documents live OUTSIDE the repo (they must never be copied in):
 *   line     → <specs>/line/messaging-api.yml                      (OpenAPI 3.0.0, LINE)
 *   whatsapp → <specs>/whatsapp/business-messaging-api_v23.0.yaml  (OpenAPI 3.1.0, Meta)
 * where <specs> is $OMO_SPECS_DIR or `<project root>/../shared/specs` (CI lays shared/ beside the clone).
 *
 * How a document becomes validators:
 * 1. Every Schema Object is normalised into a new tree: `example`/`examples`/`externalDocs`/`xml`/`x-*` are dropped;
 *    OpenAPI 3.0 only: `$ref` siblings are ignored (as 3.0 says), boolean `exclusiveMinimum/Maximum` become numbers;
 *    both: `nullable: true` allows null (Meta's 3.1 document still uses it once).
 * 2. Discriminators are made to bite. A schema with `discriminator.mapping` is validated against its base AND the
 *    subtype its discriminator value maps to (an if/then chain); a value not in the mapping is rejected (mappings are
 *    treated as exhaustive; implicit name-based mapping is not supported). Subtypes that `allOf` the base get a
 *    `<Name>__base` copy without the dispatch, so subtype → base → subtype cannot recurse. When the discriminated schema
 *    has a `oneOf` listing exactly the mapped schemas (Meta's `Message`), the dispatch replaces that `oneOf` — the
 *    same semantics as Ajv's own `discriminator` option (only the selected branch is validated), with readable errors.
 *    A same-instance `$ref` cycle left after this is reported at load time instead of hanging validation.
 * 3. `components.schemas` is registered with Ajv under `omo-openapi://<name>/document.json`; each operation/response
 *    schema (and each named schema) is compiled lazily on first use and cached. 3.0 uses `Ajv` (draft-07), 3.1 uses
 *    `Ajv2020`. Formats come from ajv-formats; formats the documents use that neither JSON Schema nor ajv-formats
 *    define are accepted unchecked, except Meta's `format: url`, which is checked as an absolute http(s) URL.
 *
 * Unknown paths/methods and unknown schema names THROW (a typo must never make a "must be rejected" test pass);
 * a body the document rejects gives `{ valid: false, errors }`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import type AjvCore from 'ajv/dist/core';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export type SpecName = 'line' | 'whatsapp';

export interface ValidationResult {
  valid: boolean;
  errors: string[];
}

export interface ResponseOptions {
  /** Pass instead of failing when the document declares no response (nor range, nor default) for the status. */
  allowUndeclaredStatus?: boolean;
}

export interface OperationMatch {
  /** Lower-case HTTP method. */
  method: string;
  /** The document's path template, e.g. '/{Version}/{Phone-Number-ID}/messages'. */
  pathTemplate: string;
  operationId: string | undefined;
  /** Path parameters taken from the concrete path (percent-decoded). */
  pathParams: Record<string, string>;
  /** Other templates that matched equally well (the first in document order wins); empty when unambiguous. */
  ambiguousWith: string[];
  /** The operation object as it stands in the document. */
  operation: JsonObject;
}

export interface SpecTimings {
  /** Reading + YAML parsing (or reading the parsed JSON from the temp-folder cache). */
  parseMs: number;
  /** Whether the parsed document came from the temp-folder cache. */
  fromCache: boolean;
  /** Normalising schemas, discriminator rewrite, Ajv setup. */
  prepareMs: number;
  /** Sum of the lazy Ajv compilations so far. */
  compileMs: number;
  /** How many validators have been compiled so far. */
  compiled: number;
}

type Json = null | boolean | number | string | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

const SPEC_FILES: Record<SpecName, string> = {
  line: 'line/messaging-api.yml',
  whatsapp: 'whatsapp/business-messaging-api_v23.0.yaml',
};

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const FORM_MEDIA_TYPES = new Set(['multipart/form-data', 'application/x-www-form-urlencoded']);
const BASE_SUFFIX = '__base';

/** `<project root>/../shared/specs`, or $OMO_SPECS_DIR. */
export function specsDir(): string {
  const fromEnv = process.env.OMO_SPECS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  return path.resolve(projectRoot, '..', 'shared', 'specs');
}

const cache = new Map<string, OpenApiSpec>();

/**
 * Parsing Meta's 1 MB YAML costs 1–3 s per test file (each file gets fresh modules), so the parsed document is kept
 * as JSON under the OS temp folder (outside the repo), keyed by a hash of the YAML text.
 */
function readDocument(file: string): { document: unknown; fromCache: boolean } {
  const text = readFileSync(file, 'utf8');
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 24);
  const cacheFile = path.join(tmpdir(), 'omo-openapi-cache', `${path.basename(file)}.${digest}.json`);
  try {
    return { document: JSON.parse(readFileSync(cacheFile, 'utf8')) as unknown, fromCache: true };
  } catch {
    // not cached yet (or unreadable): parse the YAML
  }
  const document = parseYaml(text) as unknown;
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    const partial = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(document));
    renameSync(partial, cacheFile); // atomic: parallel workers never read half a file
  } catch {
    // the cache is an optimisation only
  }
  return { document, fromCache: false };
}

/** Parses (once per process and specs folder) and prepares one of the official documents. */
export function loadSpec(name: SpecName): OpenApiSpec {
  const dir = specsDir();
  const key = `${name}\0${dir}`;
  const cached = cache.get(key);
  if (cached) return cached;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`OpenAPI specs folder ${dir} not found; set OMO_SPECS_DIR (expected …/shared/specs beside the clone)`);
  }
  const file = path.join(dir, SPEC_FILES[name]);
  if (!existsSync(file)) {
    throw new Error(`OpenAPI document ${file} not found in ${dir}; set OMO_SPECS_DIR to the folder holding ${SPEC_FILES[name]}`);
  }
  const t0 = performance.now();
  const { document, fromCache } = readDocument(file);
  const parseMs = performance.now() - t0;
  if (!isObject(document) || !isObject(document.paths)) throw new Error(`${file} is not an OpenAPI document`);
  const spec = new OpenApiSpec(name, document, parseMs, fromCache);
  cache.set(key, spec);
  return spec;
}

export class OpenApiSpec {
  readonly openapiVersion: string;
  private readonly ajv: AjvCore;
  private formAjv: AjvCore | undefined;
  private readonly docId: string;
  /** Normalised copy: paths and components with every schema rewritten (see the file comment). */
  private readonly prepared: JsonObject;
  private readonly validators = new WeakMap<JsonObject, ValidateFunction>();
  private readonly formValidators = new WeakMap<JsonObject, ValidateFunction>();
  private readonly namedValidators = new Map<string, ValidateFunction>();
  /** Schema object → where it comes from, to name the failing keyword in error messages. */
  private readonly locations = new WeakMap<object, string>();
  private readonly stats: SpecTimings;

  /** Use loadSpec(). `document` is the parsed document, kept as is. */
  constructor(
    readonly name: SpecName,
    readonly document: JsonObject,
    parseMs: number,
    fromCache: boolean,
  ) {
    const t0 = performance.now();
    this.openapiVersion = typeof document.openapi === 'string' ? document.openapi : '';
    const is30 = this.openapiVersion.startsWith('3.0');
    this.docId = `omo-openapi://${name}/document.json`;
    this.prepared = prepareDocument(document, is30);
    const components = this.prepared.components;
    if (isObject(components) && isObject(components.schemas)) {
      for (const [schemaName, schema] of Object.entries(components.schemas)) {
        recordLocations(schema, `components/schemas/${schemaName}`, this.locations);
      }
    }
    this.ajv = this.createAjv(false);
    this.stats = { parseMs, fromCache, prepareMs: performance.now() - t0, compileMs: 0, compiled: 0 };
  }

  get timings(): SpecTimings {
    return { ...this.stats };
  }

  /** Names of `components.schemas` in the document. */
  schemaNames(): string[] {
    const schemas = this.document.components;
    return isObject(schemas) && isObject(schemas.schemas) ? Object.keys(schemas.schemas) : [];
  }

  /**
   * The operation a concrete request path (or full URL; query and fragment ignored) maps to, or undefined.
   * Literal segments beat templated ones (more literal segments first, then the leftmost literal); a path template
   * itself ('/{Version}/{WABA-ID}/message_templates') matches its own template literally, which resolves ambiguity.
   */
  findOperation(method: string, concretePath: string): OperationMatch | undefined {
    const m = method.toLowerCase();
    const candidates = this.matchPath(concretePath).filter((c) => isObject(c.item[m]));
    const best = candidates[0];
    if (!best) return undefined;
    const operation = best.item[m] as JsonObject;
    const ambiguousWith = candidates
      .slice(1)
      .filter((c) => compareScores(c.score, best.score) === 0)
      .map((c) => c.template);
    return {
      method: m,
      pathTemplate: best.template,
      operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
      pathParams: best.params,
      ambiguousWith,
      operation,
    };
  }

  /**
   * Validates a request body against the operation's requestBody (following `$ref`s) for `contentType`.
   * JSON bodies may be given parsed, or as raw JSON text (string/Buffer). Form bodies (multipart/form-data,
   * x-www-form-urlencoded) may be a plain object, FormData or URLSearchParams; binary values (Blob/File/Buffer/
   * typed arrays) count as strings, and string fields are coerced to the schema's scalar types as on the wire.
   */
  validateRequestBody(method: string, concretePath: string, body: unknown, contentType = 'application/json'): ValidationResult {
    const match = this.requireOperation(method, concretePath);
    const where = `${match.method.toUpperCase()} ${match.pathTemplate}`;
    const preparedOp = this.preparedOperation(match);
    const requestBody = this.deref(preparedOp.requestBody);
    if (requestBody === undefined) {
      return body === undefined ? ok() : fail(`${where} declares no request body, but one was given`);
    }
    if (body === undefined) {
      return requestBody.required === true ? fail(`${where}: the request body is required`) : ok();
    }
    return this.validateContent(`${where} request`, 'request', requestBody.content, body, contentType);
  }

  /**
   * Validates a response body against the response declared for `status` (exact code, else a range such as '4XX',
   * else 'default'). An undeclared status is an error unless `allowUndeclaredStatus`. A response declared without
   * content only accepts an empty body (undefined, null or ''). Options may take the content type's place:
   * `validateResponse('POST', path, 500, body, { allowUndeclaredStatus: true })`.
   */
  validateResponse(
    method: string,
    concretePath: string,
    status: number,
    body: unknown,
    contentTypeOrOptions: string | ResponseOptions = 'application/json',
    moreOptions: ResponseOptions = {},
  ): ValidationResult {
    const contentType = typeof contentTypeOrOptions === 'string' ? contentTypeOrOptions : 'application/json';
    const options = typeof contentTypeOrOptions === 'string' ? moreOptions : { ...contentTypeOrOptions, ...moreOptions };
    const match = this.requireOperation(method, concretePath);
    const where = `${match.method.toUpperCase()} ${match.pathTemplate}`;
    const responses = this.preparedOperation(match).responses;
    const declared = isObject(responses) ? Object.keys(responses) : [];
    const key =
      declared.find((k) => k === String(status)) ??
      declared.find((k) => k.toUpperCase() === `${String(status).charAt(0)}XX`) ??
      declared.find((k) => k === 'default');
    if (key === undefined || !isObject(responses)) {
      if (options.allowUndeclaredStatus === true) return ok();
      return fail(
        `${where} (${match.operationId ?? 'no operationId'}): the spec declares no ${status} response ` +
          `(declared: ${declared.join(', ') || 'none'})`,
      );
    }
    const response = this.deref(responses[key]);
    if (response === undefined || !isObject(response.content) || Object.keys(response.content).length === 0) {
      return body === undefined || body === null || body === ''
        ? ok()
        : fail(`${where} declares no content for its ${key} response, but a body was given`);
    }
    return this.validateContent(`${where} response ${key}`, 'response', response.content, body, contentType);
  }

  /** Validates a value against `components.schemas[schemaName]` (discriminators applied). Throws on an unknown name. */
  validateSchema(schemaName: string, value: unknown): ValidationResult {
    let validate = this.namedValidators.get(schemaName);
    if (!validate) {
      const schemas = this.prepared.components;
      if (!isObject(schemas) || !isObject(schemas.schemas) || !(schemaName in schemas.schemas)) {
        throw new Error(`${this.name} spec has no components.schemas.${schemaName}`);
      }
      validate = this.compile(this.ajv, { $ref: `${this.docId}#/components/schemas/${escapePointer(schemaName)}` }, schemaName);
      this.namedValidators.set(schemaName, validate);
    }
    return this.run(validate, value);
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Runs a validator; errors become '<instance path> <message> [<schema location>]', duplicates and if-noise dropped. */
  private run(validate: ValidateFunction, value: unknown): ValidationResult {
    if (validate(value)) return ok();
    const seen = new Set<string>();
    const errors: string[] = [];
    for (const error of validate.errors ?? []) {
      if (error.keyword === 'if') continue; // "must match "then" schema": the then-branch's own errors say why
      const text = describeError(error);
      // The same failure is often reached twice (a subtype allOf's its base, which the dispatch also checks).
      if (seen.has(text)) continue;
      seen.add(text);
      const parent = error.parentSchema as object | undefined;
      const location = parent === undefined ? undefined : this.locations.get(parent);
      errors.push(`${text} [${location === undefined ? error.schemaPath : `${location}/${error.keyword}`}]`);
    }
    return { valid: false, errors: errors.length ? errors : ['invalid (no detail from Ajv)'] };
  }

  private createAjv(coerceTypes: boolean): AjvCore {
    // verbose: errors carry parentSchema, which `locations` maps back to a place in the document.
    const options = { allErrors: true, strict: false, verbose: true, coerceTypes } as const;
    const ajv: AjvCore = this.openapiVersion.startsWith('3.0') ? new Ajv(options) : new Ajv2020(options);
    addFormats(ajv);
    // Not a JSON Schema format (Meta uses it for media links); ajv-formats' own `url` rejects localhost/private IPs.
    ajv.addFormat('url', (s: string) => /^https?:\/\//i.test(s) && URL.canParse(s));
    for (const format of collectFormats(this.prepared)) {
      if (!(format in ajv.formats)) ajv.addFormat(format, true);
    }
    const components = this.prepared.components;
    ajv.addSchema({ $id: this.docId, components: { schemas: isObject(components) ? (components.schemas ?? {}) : {} } });
    return ajv;
  }

  private compile(ajv: AjvCore, schema: Json, label: string): ValidateFunction {
    const t0 = performance.now();
    const copy = absolutizeRefs(schema, this.docId);
    recordLocations(copy, label, this.locations);
    const validate = ajv.compile(copy as object);
    this.stats.compileMs += performance.now() - t0;
    this.stats.compiled += 1;
    return validate;
  }

  private requireOperation(method: string, concretePath: string): OperationMatch {
    const match = this.findOperation(method, concretePath);
    if (match) return match;
    const templates = this.matchPath(concretePath).map((c) => c.template);
    const hint = templates.length
      ? ` (path matches ${templates[0]}, which declares ${Object.keys(this.pathItem(templates[0] ?? ''))
          .filter((k) => HTTP_METHODS.has(k))
          .join(', ')})`
      : '';
    throw new Error(`${this.name} spec has no operation ${method.toUpperCase()} ${concretePath}${hint}`);
  }

  private pathItem(template: string): JsonObject {
    const paths = this.document.paths;
    const item = isObject(paths) ? paths[template] : undefined;
    return isObject(item) ? item : {};
  }

  private preparedOperation(match: OperationMatch): JsonObject {
    const paths = this.prepared.paths;
    const item = isObject(paths) ? paths[match.pathTemplate] : undefined;
    const op = isObject(item) ? item[match.method] : undefined;
    if (!isObject(op)) throw new Error(`internal: no prepared operation for ${match.method} ${match.pathTemplate}`);
    return op;
  }

  /** Follows (non-schema) `$ref`s such as '#/components/requestBodies/X' or '#/components/responses/Y'. */
  private deref(node: Json | undefined): JsonObject | undefined {
    let current = node;
    for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops++) {
      const ref = current.$ref;
      if (hops > 20) throw new Error(`${this.name} spec: $ref loop at ${ref}`);
      current = resolvePointer(this.prepared, ref);
      if (current === undefined) throw new Error(`${this.name} spec: unresolved $ref ${ref}`);
    }
    return isObject(current) ? current : undefined;
  }

  private validateContent(
    where: string,
    kind: 'request' | 'response',
    content: Json | undefined,
    body: unknown,
    contentType: string,
  ): ValidationResult {
    const declared = isObject(content) ? content : {};
    const mediaKey = pickMediaType(Object.keys(declared), contentType);
    if (mediaKey === undefined) {
      return fail(`${where} declares no ${kind} content ${contentType} (declared: ${Object.keys(declared).join(', ') || 'none'})`);
    }
    const media = declared[mediaKey];
    const schema = isObject(media) ? media.schema : undefined;
    if (schema === undefined) return ok();
    const label = `${where} ${mediaKey}`;
    const mediaType = normalizeMediaType(contentType);
    if (FORM_MEDIA_TYPES.has(mediaType)) {
      const validate = this.cachedValidator(this.formValidators, schema, label, () => (this.formAjv ??= this.createAjv(true)));
      // coerceTypes mutates the data: validate a fresh object.
      return this.run(validate, formToObject(body));
    }
    let value: unknown = body;
    if (isJsonMediaType(mediaType) && (typeof body === 'string' || body instanceof Uint8Array)) {
      const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
      try {
        value = JSON.parse(text) as unknown;
      } catch {
        return fail(`${where}: the ${kind} body is not valid JSON`);
      }
    }
    return this.run(this.cachedValidator(this.validators, schema, label, () => this.ajv), value);
  }

  private cachedValidator(
    store: WeakMap<JsonObject, ValidateFunction>,
    schema: Json,
    label: string,
    ajv: () => AjvCore,
  ): ValidateFunction {
    const key: JsonObject = isObject(schema) ? schema : { schema };
    let validate = store.get(key);
    if (!validate) {
      validate = this.compile(ajv(), schema, label);
      store.set(key, validate);
    }
    return validate;
  }

  private matchPath(concretePath: string): Array<{ template: string; item: JsonObject; params: Record<string, string>; score: number[] }> {
    const segments = splitPath(concretePath);
    const out: Array<{ template: string; item: JsonObject; params: Record<string, string>; score: number[]; order: number }> = [];
    const paths = isObject(this.document.paths) ? this.document.paths : {};
    let order = 0;
    for (const [template, item] of Object.entries(paths)) {
      order++;
      if (!isObject(item)) continue;
      const parts = template.split('/').filter((s) => s !== '');
      if (parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const score: number[] = [];
      let matched = true;
      for (let i = 0; i < parts.length && matched; i++) {
        const part = parts[i] ?? '';
        const seg = segments[i] ?? '';
        if (part === seg) {
          score.push(1);
          continue;
        }
        const names: string[] = [];
        const source = part.replace(/\{([^}]+)\}|[^{]+/g, (whole, name: string | undefined) => {
          if (name === undefined) return whole.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(name);
          return '([^/]+)';
        });
        const found = names.length > 0 ? new RegExp(`^${source}$`).exec(seg) : null;
        if (!found) {
          matched = false;
          break;
        }
        names.forEach((name, j) => {
          params[name] = safeDecode(found[j + 1] ?? '');
        });
        score.push(0);
      }
      if (matched) out.push({ template, item, params, score, order });
    }
    out.sort((a, b) => compareScores(b.score, a.score) || a.order - b.order);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Document preparation

function prepareDocument(document: JsonObject, is30: boolean): JsonObject {
  const components = isObject(document.components) ? document.components : {};
  const rawSchemas = isObject(components.schemas) ? components.schemas : {};
  const schemas: JsonObject = {};
  for (const [name, schema] of Object.entries(rawSchemas)) schemas[name] = normalizeSchema(schema, is30, true);
  applyComponentDiscriminators(schemas);
  assertNoSameInstanceCycles(schemas);
  const preparedComponents: JsonObject = {};
  for (const [key, value] of Object.entries(components)) {
    preparedComponents[key] = key === 'schemas' ? schemas : normalizeNonSchema(value, is30);
  }
  return {
    openapi: document.openapi ?? null,
    paths: normalizeNonSchema(document.paths ?? {}, is30),
    components: preparedComponents,
  };
}

/** Walks non-schema OpenAPI objects (paths, operations, responses, media types) and normalises each `schema`. */
function normalizeNonSchema(node: Json, is30: boolean): Json {
  if (Array.isArray(node)) return node.map((n) => normalizeNonSchema(n, is30));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples') continue;
    out[key] = key === 'schema' ? normalizeSchema(value, is30, false) : normalizeNonSchema(value, is30);
  }
  return out;
}

const SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SUBSCHEMA_SINGLE = new Set([
  'items', 'additionalItems', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames',
  'unevaluatedProperties', 'unevaluatedItems', 'contentSchema',
]);
const SUBSCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** Keywords that keep validating the same instance (used for cycle detection). */
const SAME_INSTANCE_SINGLE = new Set(['not', 'if', 'then', 'else']);
const SAME_INSTANCE_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);

/**
 * Returns a normalised copy of a Schema Object. Inline discriminators are applied here; component-level ones
 * (`componentRoot`) are kept for applyComponentDiscriminators.
 */
function normalizeSchema(node: Json, is30: boolean, componentRoot: boolean): Json {
  if (!isObject(node)) return node;
  if (is30 && typeof node.$ref === 'string') return { $ref: node.$ref }; // OpenAPI 3.0: siblings of $ref are ignored
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples' || key === 'externalDocs' || key === 'xml' || key.startsWith('x-')) continue;
    if (key === 'nullable') continue;
    if (SUBSCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeSchema(v, is30, false)]));
    } else if (SUBSCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((v) => normalizeSchema(v, is30, false));
    } else if (key === 'items' && Array.isArray(value)) {
      out[key] = value.map((v) => normalizeSchema(v, is30, false));
    } else if (SUBSCHEMA_SINGLE.has(key)) {
      out[key] = normalizeSchema(value, is30, false);
    } else {
      out[key] = value;
    }
  }
  if (is30) {
    for (const [bool, limit] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (typeof out[bool] === 'boolean') {
        if (out[bool] === true && typeof out[limit] === 'number') {
          out[bool] = out[limit];
          delete out[limit];
        } else {
          delete out[bool];
        }
      }
    }
  }
  let result: JsonObject = out;
  if (node.nullable === true) result = allowNull(result);
  if (!componentRoot && 'discriminator' in result) {
    const { discriminator, ...rest } = result;
    const dispatch = discriminatorDispatch(discriminator);
    result = dispatch ? { allOf: [dropMappedOneOf(rest, discriminator), dispatch] } : rest;
  }
  return result;
}

function allowNull(schema: JsonObject): JsonObject {
  const composite = ['allOf', 'anyOf', 'oneOf', 'not', '$ref'].some((k) => k in schema);
  if (!composite && typeof schema.type === 'string') {
    const out: JsonObject = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
    return out;
  }
  if (!composite && schema.type === undefined && !Array.isArray(schema.enum)) return schema;
  return { anyOf: [{ type: 'null' }, schema] };
}

/** '#/components/schemas/X' or a bare schema name → '#/components/schemas/X'. */
function mappingRef(target: string): string {
  return target.includes('#') || target.includes('/') ? target : `#/components/schemas/${escapePointer(target)}`;
}

/** The if/then chain for a discriminator with a mapping, closed over the mapped values; undefined without mapping. */
function discriminatorDispatch(discriminator: Json | undefined): JsonObject | undefined {
  if (!isObject(discriminator) || typeof discriminator.propertyName !== 'string' || !isObject(discriminator.mapping)) {
    return undefined;
  }
  const property = discriminator.propertyName;
  const entries = Object.entries(discriminator.mapping).filter((e): e is [string, string] => typeof e[1] === 'string');
  if (entries.length === 0) return undefined;
  return {
    allOf: [
      { properties: { [property]: { enum: entries.map(([value]) => value) } } },
      ...entries.map(([value, target]) => ({
        if: { type: 'object', properties: { [property]: { const: value } }, required: [property] },
        then: { $ref: mappingRef(target) },
      })),
    ],
  };
}

/** Drops a oneOf/anyOf that lists exactly the mapped schemas: the dispatch selects the branch instead. */
function dropMappedOneOf(schema: JsonObject, discriminator: Json | undefined): JsonObject {
  if (!isObject(discriminator) || !isObject(discriminator.mapping)) return schema;
  const mapped = new Set(Object.values(discriminator.mapping).filter((v): v is string => typeof v === 'string').map(mappingRef));
  const out = { ...schema };
  for (const key of ['oneOf', 'anyOf'] as const) {
    const list = out[key];
    if (!Array.isArray(list)) continue;
    const refs = list.map((s) => (isObject(s) && typeof s.$ref === 'string' && Object.keys(s).length === 1 ? s.$ref : undefined));
    if (refs.every((r) => r !== undefined && mapped.has(r)) && new Set(refs).size === mapped.size) delete out[key];
  }
  return out;
}

function applyComponentDiscriminators(schemas: JsonObject): void {
  const discriminated = Object.entries(schemas).filter(
    (e): e is [string, JsonObject] => isObject(e[1]) && discriminatorDispatch(e[1].discriminator) !== undefined,
  );
  // Step 1 (on the original objects, before any is replaced): subtypes that allOf the base point at the plain base.
  for (const [name, schema] of discriminated) {
    const baseRef = `#/components/schemas/${escapePointer(name)}`;
    const mapping = (schema.discriminator as JsonObject).mapping as JsonObject;
    for (const target of Object.values(mapping)) {
      if (typeof target !== 'string') continue;
      const targetName = componentName(mappingRef(target));
      const sub = targetName === undefined ? undefined : schemas[targetName];
      if (!isObject(sub) || !Array.isArray(sub.allOf)) continue;
      sub.allOf = sub.allOf.map((entry) =>
        isObject(entry) && entry.$ref === baseRef ? { ...entry, $ref: `#/components/schemas/${escapePointer(name + BASE_SUFFIX)}` } : entry,
      );
    }
  }
  // Step 2: <Name>__base keeps the schema without the discriminator; <Name> becomes base + dispatch.
  for (const [name, schema] of discriminated) {
    if (name + BASE_SUFFIX in schemas) throw new Error(`cannot add ${name + BASE_SUFFIX}: the document already has it`);
    const { discriminator, ...rest } = schema;
    schemas[name + BASE_SUFFIX] = dropMappedOneOf(rest, discriminator);
    const dispatch = discriminatorDispatch(discriminator);
    schemas[name] = { allOf: [{ $ref: `#/components/schemas/${escapePointer(name + BASE_SUFFIX)}` }, dispatch ?? {}] };
  }
  // A discriminator without a mapping stays a no-op (implicit name mapping is not supported): drop the keyword.
  for (const schema of Object.values(schemas)) if (isObject(schema)) delete schema.discriminator;
}

function componentName(ref: string): string | undefined {
  const prefix = '#/components/schemas/';
  return ref.startsWith(prefix) ? unescapePointer(ref.slice(prefix.length)) : undefined;
}

/** A $ref cycle that never moves to a child instance would make Ajv recurse forever: refuse it up front. */
function assertNoSameInstanceCycles(schemas: JsonObject): void {
  const edges = new Map<string, string[]>();
  const collect = (node: Json, into: string[]): void => {
    if (!isObject(node)) return;
    if (typeof node.$ref === 'string') {
      const target = componentName(node.$ref);
      if (target !== undefined) into.push(target);
    }
    for (const [key, value] of Object.entries(node)) {
      if (SAME_INSTANCE_LISTS.has(key) && Array.isArray(value)) value.forEach((v) => collect(v, into));
      else if (SAME_INSTANCE_SINGLE.has(key)) collect(value, into);
    }
  };
  for (const [name, schema] of Object.entries(schemas)) {
    const into: string[] = [];
    collect(schema, into);
    edges.set(name, into);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`same-instance $ref cycle in OpenAPI schemas: ${[...trail, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const next of edges.get(name) ?? []) visit(next, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of edges.keys()) visit(name, []);
}

function collectFormats(node: Json, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => collectFormats(n, into));
  else if (isObject(node)) {
    if (typeof node.format === 'string') into.add(node.format);
    Object.values(node).forEach((v) => collectFormats(v, into));
  }
  return into;
}

/** '#/…' → '<docId>#/…' so operation-level schemas compiled on their own resolve into the registered document. */
function absolutizeRefs(node: Json, docId: string): Json {
  if (Array.isArray(node)) return node.map((n) => absolutizeRefs(n, docId));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#') ? docId + value : absolutizeRefs(value, docId);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  let text = `${where} ${error.message ?? error.keyword}`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'enum') text += ` ${JSON.stringify(params.allowedValues)}`;
  if (error.keyword === 'const') text += ` ${JSON.stringify(params.allowedValue)}`;
  if (error.keyword === 'additionalProperties') text += ` ('${String(params.additionalProperty)}')`;
  return text;
}

function ok(): ValidationResult {
  return { valid: true, errors: [] };
}

function fail(...errors: string[]): ValidationResult {
  return { valid: false, errors };
}

/**
 * Records where every schema object of a tree sits ('components/schemas/ImageMessage/allOf/1'); first writer wins,
 * so a shared object keeps its document location.
 */
function recordLocations(node: Json, location: string, into: WeakMap<object, string>): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => recordLocations(n, `${location}/${i}`, into));
  } else if (isObject(node)) {
    if (!into.has(node)) into.set(node, location);
    for (const [key, value] of Object.entries(node)) recordLocations(value, `${location}/${escapePointer(key)}`, into);
  }
}

function resolvePointer(root: JsonObject, ref: string): Json | undefined {
  if (!ref.startsWith('#')) throw new Error(`external $ref not supported: ${ref}`);
  let current: Json | undefined = root;
  for (const part of ref.slice(1).split('/').filter((p) => p !== '')) {
    if (!isObject(current) && !Array.isArray(current)) return undefined;
    const key = unescapePointer(safeDecode(part));
    current = Array.isArray(current) ? current[Number(key)] : current[key];
  }
  return current;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function splitPath(concretePath: string): string[] {
  let p = concretePath;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) p = new URL(p).pathname;
  p = p.replace(/[?#].*$/, '');
  return p.split('/').filter((s) => s !== '');
}

function compareScores(a: number[], b: number[]): number {
  const sum = (s: number[]): number => s.reduce((x, y) => x + y, 0);
  const bySum = sum(a) - sum(b);
  if (bySum !== 0) return bySum;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function normalizeMediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/** Exact media type, then 'type/*', then '*\/*' (parameters such as charset ignored). */
function pickMediaType(declared: string[], contentType: string): string | undefined {
  const wanted = normalizeMediaType(contentType);
  const byNormal = new Map(declared.map((d) => [normalizeMediaType(d), d]));
  return byNormal.get(wanted) ?? byNormal.get(`${wanted.split('/')[0] ?? ''}/*`) ?? byNormal.get('*/*');
}

const BINARY_PLACEHOLDER = '<binary>';

function formValue(value: unknown): unknown {
  if (value instanceof Blob || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return BINARY_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(formValue);
  return value;
}

/** FormData / URLSearchParams / plain object → a fresh plain object (repeated fields become arrays). */
function formToObject(body: unknown): unknown {
  const out: Record<string, unknown> = {};
  const add = (key: string, value: unknown): void => {
    const v = formValue(value);
    const prev = out[key];
    out[key] = prev === undefined ? v : Array.isArray(prev) ? [...(prev as unknown[]), v] : [prev, v];
  };
  if (body instanceof URLSearchParams || body instanceof FormData) {
    for (const [key, value] of body.entries()) add(key, value);
    return out;
  }
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    for (const [key, value] of Object.entries(body)) out[key] = formValue(value);
    return out;
  }
  return body;
}
