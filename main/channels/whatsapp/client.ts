import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { z } from 'zod';
import { type ClassifiedGraphError, classifyGraphError, classifyTransportError } from './errors';

/**
 * The app's WhatsApp Cloud API client (axios, DESIGN §2). Every call returns a result, never throws: a failure is
 * already classified by the one error policy in errors.ts, so callers branch on `error.kind`.
 */

export const GRAPH_BASE_URL = 'https://graph.facebook.com';
const DEFAULT_TIMEOUT_MS = 15_000;
const VERSION = /^v\d+\.\d+$/;
const GRAPH_ID = /^\d{1,32}$/;

export interface GraphClientOptions {
  /** Defaults to Meta's; the sandbox (or a Channel's `apiBaseUrl`) replaces it. */
  baseURL?: string;
  /** e.g. `v23.0`. */
  version: string;
  accessToken: string;
  /** Per request; a send that times out is `ambiguous`, never resent automatically. */
  timeoutMs?: number;
}

export type GraphResult<T> =
  | { ok: true; value: T; status: number; headers: Record<string, string | undefined> }
  | { ok: false; error: ClassifiedGraphError };

const SendMessageResponse = z.object({
  messaging_product: z.literal('whatsapp'),
  contacts: z.array(z.object({ input: z.string(), wa_id: z.string() })).min(1),
  messages: z.array(z.object({ id: z.string().min(1), message_status: z.string().optional() })).min(1),
});
export type SendMessageResponse = z.output<typeof SendMessageResponse>;

const WabaTemplate = z.object({
  id: z.string(),
  name: z.string().optional(),
  language: z.string().optional(),
  status: z.string().optional(),
  category: z.string().optional(),
  parameter_format: z.enum(['POSITIONAL', 'NAMED']).optional(),
  components: z.array(z.looseObject({ type: z.string(), format: z.string().optional(), text: z.string().optional() })).optional(),
});
export type WabaTemplate = z.output<typeof WabaTemplate>;

const TemplatePage = z.object({
  data: z.array(WabaTemplate),
  paging: z
    .object({
      cursors: z.object({ before: z.string().optional(), after: z.string().optional() }).optional(),
      next: z.string().optional(),
      previous: z.string().optional(),
    })
    .optional(),
});
export type TemplatePage = z.output<typeof TemplatePage>;

const MediaResponse = z.object({ id: z.string().min(1) });

export interface ListTemplatesOptions {
  limit?: number;
  after?: string;
  name?: string;
  fields?: readonly string[];
}

export interface MediaFile {
  bytes: Uint8Array;
  mimeType: 'image/jpeg' | 'image/png';
  filename?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface GraphClient {
  /** One message to one recipient; a timeout or reset gives `ambiguous` (WhatsApp has no idempotency key). */
  sendMessage(phoneNumberId: string, payload: object, options?: CallOptions): Promise<GraphResult<SendMessageResponse>>;
  listTemplates(wabaId: string, options?: ListTemplatesOptions & CallOptions): Promise<GraphResult<TemplatePage>>;
  /** Every page, following `after` cursors on our own base URL (never a `next` URL's host, which could take the token elsewhere). */
  listAllTemplates(wabaId: string, options?: Omit<ListTemplatesOptions, 'after'> & CallOptions & { maxPages?: number }): Promise<GraphResult<WabaTemplate[]>>;
  uploadMedia(phoneNumberId: string, file: MediaFile, options?: CallOptions): Promise<GraphResult<{ id: string }>>;
}

function headersOf(response: AxiosResponse): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') out[key.toLowerCase()] = value;
    else if (Array.isArray(value)) out[key.toLowerCase()] = value.join(', ');
  }
  return out;
}

function checkId(kind: string, id: string): string {
  if (!GRAPH_ID.test(id)) throw new Error(`Invalid WhatsApp ${kind} id: ${id}`);
  return id;
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  if (!VERSION.test(options.version)) throw new Error(`Invalid Graph API version: ${options.version}`);
  const http: AxiosInstance = axios.create({
    baseURL: `${(options.baseURL ?? GRAPH_BASE_URL).replace(/\/+$/, '')}/${options.version}`,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    headers: { Authorization: `Bearer ${options.accessToken}` },
    // Every status is an answer to classify, not an exception.
    validateStatus: () => true,
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true },
  });

  async function call<T>(
    request: () => Promise<AxiosResponse<unknown>>,
    schema: z.ZodType<T>,
    idempotent: boolean,
  ): Promise<GraphResult<T>> {
    let response: AxiosResponse<unknown>;
    try {
      response = await request();
    } catch (error) {
      const code = axios.isAxiosError(error) ? error.code : undefined;
      return { ok: false, error: classifyTransportError(code, { idempotent, timedOut: code === 'ETIMEDOUT' || code === 'ECONNABORTED' }) };
    }
    const headers = headersOf(response);
    if (response.status < 200 || response.status >= 300) {
      return { ok: false, error: classifyGraphError(response.status, response.data, headers) };
    }
    const parsed = schema.safeParse(response.data);
    if (!parsed.success) {
      // A 2xx we cannot read: for a send, the message may well have gone out.
      return {
        ok: false,
        error: { kind: idempotent ? 'retryable' : 'ambiguous', code: null, reason: 'wa_unknown', status: response.status, detail: 'unexpected response body' },
      };
    }
    return { ok: true, value: parsed.data, status: response.status, headers };
  }

  const listTemplates: GraphClient['listTemplates'] = (wabaId, opts = {}) => {
    const params: Record<string, string> = {};
    if (opts.limit !== undefined) params.limit = String(opts.limit);
    if (opts.after !== undefined) params.after = opts.after;
    if (opts.name !== undefined) params.name = opts.name;
    if (opts.fields !== undefined) params.fields = opts.fields.join(',');
    return call(() => http.get(`/${checkId('WABA', wabaId)}/message_templates`, { params, ...(opts.signal ? { signal: opts.signal } : {}) }), TemplatePage, true);
  };

  return {
    sendMessage(phoneNumberId, payload, opts = {}) {
      return call(
        () => http.post(`/${checkId('phone number', phoneNumberId)}/messages`, payload, { ...(opts.signal ? { signal: opts.signal } : {}) }),
        SendMessageResponse,
        false,
      );
    },
    listTemplates,
    async listAllTemplates(wabaId, opts = {}) {
      const all: WabaTemplate[] = [];
      const seen = new Set<string>();
      let after: string | undefined;
      const { maxPages = 100, ...pageOptions } = opts;
      for (let page = 0; page < maxPages; page += 1) {
        const result = await listTemplates(wabaId, { ...pageOptions, ...(after !== undefined ? { after } : {}) });
        if (!result.ok) return result;
        for (const template of result.value.data) {
          if (!seen.has(template.id)) all.push(template);
          seen.add(template.id);
        }
        const next = result.value.paging?.next === undefined ? undefined : result.value.paging.cursors?.after;
        if (next === undefined || next === after) return { ok: true, value: all, status: result.status, headers: result.headers };
        after = next;
      }
      return { ok: true, value: all, status: 200, headers: {} };
    },
    uploadMedia(phoneNumberId, file, opts = {}) {
      const form = new FormData();
      form.set('messaging_product', 'whatsapp');
      form.set('file', new Blob([file.bytes], { type: file.mimeType }), file.filename ?? (file.mimeType === 'image/png' ? 'image.png' : 'image.jpg'));
      // An upload that is repeated only leaves an unused media id behind, so it is safe to retry.
      return call(() => http.post(`/${checkId('phone number', phoneNumberId)}/media`, form, { ...(opts.signal ? { signal: opts.signal } : {}) }), MediaResponse, true);
    },
  };
}
