/**
 * Self-tests of test/helpers/openapi.ts: the validator must have teeth against the OFFICIAL documents
 * (../shared/specs, or $OMO_SPECS_DIR — never copied into the repo). Payloads here are hand-written.
 *
 * Negative cases assert the reason (a pattern on the error), so a wrong path or a typo can never make a
 * "must be rejected" case pass vacuously (unknown paths/schema names throw).
 *
 * "Documents" blocks pin places where an official document is looser or stricter than the live API; if one of them
 * starts failing, the vendor changed the document: re-read it and update API-FACTS.md and the emulator notes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadSpec, specsDir, type OpenApiSpec, type ValidationResult } from '../helpers/openapi';

function expectValid(result: ValidationResult): void {
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

function expectRejected(result: ValidationResult, ...reasons: RegExp[]): void {
  expect(result.valid, 'expected the official document to reject this').toBe(false);
  for (const reason of reasons) {
    expect(
      result.errors.some((e) => reason.test(e)),
      `no error matches ${String(reason)}; errors were:\n${result.errors.join('\n')}`,
    ).toBe(true);
  }
}

const userId = (hexDigit: string): string => `U${hexDigit.repeat(32)}`;

let line: OpenApiSpec;
let whatsapp: OpenApiSpec;
const loadMs: Record<string, number> = {};

beforeAll(() => {
  let t0 = performance.now();
  line = loadSpec('line');
  loadMs.line = performance.now() - t0;
  t0 = performance.now();
  whatsapp = loadSpec('whatsapp');
  loadMs.whatsapp = performance.now() - t0;
});

afterAll(() => {
  const fmt = (name: string, spec: OpenApiSpec): string => {
    const t = spec.timings;
    return (
      `${name}: load ${loadMs[name]?.toFixed(0)} ms (${t.fromCache ? 'cached parse' : 'YAML parse'} ` +
      `${t.parseMs.toFixed(0)}, prepare ${t.prepareMs.toFixed(0)}), ` +
      `${t.compiled} validators compiled lazily in ${t.compileMs.toFixed(0)} ms`
    );
  };
  console.log(`[openapi timing] ${fmt('line', line)}; ${fmt('whatsapp', whatsapp)}`);
});

describe('loading', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads the documents from outside the repo, once', () => {
    const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
    if (!process.env.OMO_SPECS_DIR) expect(specsDir()).toBe(path.resolve(projectRoot, '..', 'shared', 'specs'));
    expect(path.relative(projectRoot, specsDir()).startsWith('..')).toBe(true);
    expect(line.openapiVersion).toBe('3.0.0');
    expect(whatsapp.openapiVersion).toBe('3.1.0');
    expect(loadSpec('line')).toBe(line);
  });

  it('says where to look when the specs folder is missing', () => {
    vi.stubEnv('OMO_SPECS_DIR', '/nonexistent/shared/specs');
    expect(() => loadSpec('line')).toThrow(/nonexistent[/\\]shared[/\\]specs not found; set OMO_SPECS_DIR/);
  });
});

describe('path matching', () => {
  it('maps concrete LINE paths to templates, literal segments first', () => {
    expect(line.findOperation('POST', '/v2/bot/message/multicast')).toMatchObject({
      pathTemplate: '/v2/bot/message/multicast',
      operationId: 'multicast',
      ambiguousWith: [],
    });
    expect(line.findOperation('get', '/v2/bot/message/quota')?.operationId).toBe('getMessageQuota');
    expect(line.findOperation('get', '/v2/bot/message/quota/consumption')?.operationId).toBe('getMessageQuotaConsumption');
    expect(line.findOperation('get', `/v2/bot/profile/${userId('a')}`)).toMatchObject({
      pathTemplate: '/v2/bot/profile/{userId}',
      pathParams: { userId: userId('a') },
    });
    // '/v2/bot/richmenu/list' and '/v2/bot/richmenu/{richMenuId}' both have GET: the literal one wins.
    expect(line.findOperation('get', '/v2/bot/richmenu/list')?.pathTemplate).toBe('/v2/bot/richmenu/list');
    expect(line.findOperation('get', '/v2/bot/richmenu/richmenu-123')?.pathTemplate).toBe('/v2/bot/richmenu/{richMenuId}');
    // Full URLs and query strings are fine.
    expect(line.findOperation('post', 'https://api.line.me/v2/bot/message/multicast?x=1')?.operationId).toBe('multicast');
  });

  it('maps concrete Graph API paths to templates', () => {
    expect(whatsapp.findOperation('post', '/v23.0/1234567890/messages')).toMatchObject({
      pathTemplate: '/{Version}/{Phone-Number-ID}/messages',
      operationId: 'sendMessage',
      pathParams: { Version: 'v23.0', 'Phone-Number-ID': '1234567890' },
      ambiguousWith: [],
    });
    expect(whatsapp.findOperation('get', '/v23.0/102290129340398/message_templates')?.pathTemplate).toBe(
      '/{Version}/{WABA-ID}/message_templates',
    );
    expect(whatsapp.findOperation('post', 'https://graph.facebook.com/v23.0/1234567890/media')?.operationId).toBe('uploadImage');
  });

  it('reports ambiguity, and a template passed as the path resolves it', () => {
    const ambiguous = whatsapp.findOperation('get', '/v23.0/1234567890');
    expect(ambiguous?.ambiguousWith.length).toBeGreaterThan(0);
    expect(ambiguous?.ambiguousWith).toContain('/{Version}/{Media-ID}');
    expect(whatsapp.findOperation('get', '/{Version}/{Media-ID}')?.pathTemplate).toBe('/{Version}/{Media-ID}');
  });

  it('finds nothing for unknown paths or methods, and validation then throws (never a vacuous rejection)', () => {
    expect(line.findOperation('post', '/v2/bot/message/multicast/extra')).toBeUndefined();
    expect(line.findOperation('get', '/v2/bot/message/multicast')).toBeUndefined();
    expect(() => line.validateRequestBody('post', '/v2/bot/message/multicastt', {})).toThrow(/no operation POST/);
    expect(() => line.validateResponse('get', '/v2/bot/message/multicast', 200, {})).toThrow(/declares post/);
    expect(() => line.validateSchema('NoSuchSchema', {})).toThrow(/no components\.schemas\.NoSuchSchema/);
  });
});

describe('LINE multicast (official messaging-api.yml)', () => {
  const multicast = '/v2/bot/message/multicast';
  const send = (body: unknown): ValidationResult => line.validateRequestBody('POST', multicast, body);
  const reply = (status: number, body: unknown): ValidationResult => line.validateResponse('POST', multicast, status, body);
  const image = {
    type: 'image',
    originalContentUrl: 'https://cdn.example.com/spring/original.jpg',
    previewImageUrl: 'https://cdn.example.com/spring/preview.jpg',
  };
  const text = { type: 'text', text: 'Spring sale starts today' };
  const valid = { to: [userId('a'), userId('b')], messages: [image, text] };

  it('accepts a valid multicast (also as raw JSON text)', () => {
    expectValid(send(valid));
    expectValid(line.validateRequestBody('POST', multicast, JSON.stringify(valid), 'application/json; charset=utf-8'));
    expectValid(line.validateSchema('MulticastRequest', valid));
  });

  it('rejects 501 recipients (MulticastRequest.to maxItems 500) and an empty `to`', () => {
    const to = Array.from({ length: 501 }, (_, i) => `U${i.toString(16).padStart(32, '0')}`);
    expectRejected(send({ ...valid, to }), /^\/to must NOT have more than 500 items/);
    expectValid(send({ ...valid, to: to.slice(0, 500) }));
    expectRejected(send({ ...valid, to: [] }), /^\/to must NOT have fewer than 1 items/);
  });

  it('rejects 0 and 6 messages (minItems 1, maxItems 5)', () => {
    expectRejected(send({ ...valid, messages: [] }), /^\/messages must NOT have fewer than 1/);
    expectRejected(send({ ...valid, messages: Array.from({ length: 6 }, () => text) }), /^\/messages must NOT have more than 5/);
    expectValid(send({ ...valid, messages: Array.from({ length: 5 }, () => text) }));
  });

  it('rejects a text message without `text` (discriminator → TextMessage)', () => {
    expectRejected(
      send({ ...valid, messages: [{ type: 'text' }] }),
      /^\/messages\/0 must have required property 'text' \[components\/schemas\/TextMessage\/required\]/,
    );
  });

  it('rejects an image message without previewImageUrl (discriminator → ImageMessage)', () => {
    const { previewImageUrl: _omitted, ...noPreview } = image;
    expectRejected(send({ ...valid, messages: [text, noPreview] }), /^\/messages\/1 must have required property 'previewImageUrl'/);
    expectRejected(
      send({ ...valid, messages: [{ ...image, originalContentUrl: 'not a uri' }] }),
      /^\/messages\/0\/originalContentUrl must match format "uri"/,
    );
  });

  it('rejects an unknown message type (the mapping is closed)', () => {
    expectRejected(
      send({ ...valid, messages: [{ type: 'hologram', text: 'x' }] }),
      /^\/messages\/0\/type must be equal to one of the allowed values \["text",.*"image"/,
    );
    expectRejected(send({ ...valid, messages: [{ text: 'x' }] }), /required property 'type'/);
  });

  it('rejects a wrong type for `to`', () => {
    expectRejected(send({ ...valid, to: userId('a') }), /^\/to must be array/);
    expectRejected(send({ ...valid, to: [42] }), /^\/to\/0 must be string/);
    expectRejected(send({ messages: [text] }), /^\(root\) must have required property 'to'/);
  });

  it('checks other request fields: notificationDisabled, customAggregationUnits', () => {
    expectValid(send({ ...valid, notificationDisabled: true, customAggregationUnits: ['spring_2026'] }));
    expectRejected(send({ ...valid, notificationDisabled: 'yes' }), /^\/notificationDisabled must be boolean/);
    expectRejected(send({ ...valid, customAggregationUnits: ['a', 'b'] }), /^\/customAggregationUnits must NOT have more than 1/);
    expectRejected(send({ ...valid, customAggregationUnits: ['spring-2026'] }), /^\/customAggregationUnits\/0 must match pattern/);
  });

  it('follows nested discriminators (Flex: container → bubble → box → components) without recursing forever', () => {
    const flex = (contents: unknown[]): unknown => ({
      to: [userId('c')],
      messages: [
        {
          type: 'flex',
          altText: 'Spring sale',
          contents: { type: 'bubble', body: { type: 'box', layout: 'vertical', contents } },
        },
      ],
    });
    expectValid(send(flex([{ type: 'text', text: 'Hi' }])));
    expectRejected(
      send(flex([{ type: 'text', text: 'Hi' }, { type: 'box', contents: [] }])),
      /^\/messages\/0\/contents\/body\/contents\/1 must have required property 'layout'/,
    );
    expectRejected(
      send(flex([{ type: 'box', layout: 'vertical', contents: [{ type: 'marquee' }] }])),
      /^\/messages\/0\/contents\/body\/contents\/0\/contents\/0\/type must be equal to one of the allowed values/,
    );
  });

  it('validates subtypes directly and the discriminated base alone', () => {
    expectValid(line.validateSchema('TextMessage', text));
    expectRejected(line.validateSchema('TextMessage', { type: 'text' }), /required property 'text'/);
    expectValid(line.validateSchema('Message', image));
    expectRejected(line.validateSchema('Message', { type: 'image' }), /required property 'originalContentUrl'/);
  });

  it('validates responses: 200 {} and 400 ErrorResponse; rejects a bad error body and an undeclared status', () => {
    expectValid(reply(200, {}));
    const error400 = {
      message: 'The request body has 1 error(s)',
      details: [{ message: 'Size must be between 1 and 5', property: 'messages' }],
    };
    expectValid(reply(400, error400));
    expectValid(line.validateSchema('ErrorResponse', error400));
    expectValid(reply(409, { message: 'The retry key is already accepted' }));
    expectValid(reply(429, { message: 'You have reached your monthly limit.' }));
    expectRejected(reply(400, { details: [] }), /required property 'message'/);
    expectRejected(reply(400, { message: 'x', details: { property: 'to' } }), /^\/details must be array/);
    expectRejected(reply(200, []), /^\(root\) must be object/);
    // 401 and 500 are not declared for multicast in the document: an error unless explicitly allowed.
    expectRejected(reply(500, { message: 'x' }), /declares no 500 response \(declared: 200, 400, 403, 409, 429\)/);
    expectValid(line.validateResponse('POST', multicast, 500, { message: 'x' }, { allowUndeclaredStatus: true }));
    expectValid(
      line.validateResponse('POST', multicast, 401, { message: 'x' }, 'application/json', { allowUndeclaredStatus: true }),
    );
    expectRejected(line.validateResponse('POST', multicast, 200, {}, 'text/html'), /declares no response content text\/html/);
  });

  it('validates quota responses', () => {
    const quota = (body: unknown): ValidationResult => line.validateResponse('GET', '/v2/bot/message/quota', 200, body);
    const consumption = (body: unknown): ValidationResult =>
      line.validateResponse('GET', '/v2/bot/message/quota/consumption', 200, body);
    expectValid(quota({ type: 'limited', value: 1000 }));
    expectValid(quota({ type: 'none' }));
    expectRejected(quota({ type: 'unlimited' }), /^\/type must be equal to one of the allowed values \["none","limited"\]/);
    expectRejected(quota({ type: 'limited', value: 10.5 }), /^\/value must be integer/);
    expectRejected(quota({ value: 5 }), /required property 'type'/);
    expectValid(consumption({ totalUsage: 500 }));
    expectRejected(consumption({ totalUsage: '500' }), /^\/totalUsage must be integer/);
    expectRejected(consumption({}), /required property 'totalUsage'/);
  });

  it('honours OpenAPI 3.0 `nullable` (Membership.memberLimit)', () => {
    const membership = {
      membershipId: 1,
      title: 'Gold',
      description: 'd',
      benefits: ['b'],
      price: 100,
      currency: 'JPY',
      memberCount: 3,
      memberLimit: null,
      isInAppPurchase: false,
      isPublished: true,
    };
    expectValid(line.validateSchema('Membership', membership));
    expectRejected(line.validateSchema('Membership', { ...membership, memberLimit: 'none' }), /^\/memberLimit must be integer,null/);
  });

  describe('documents what messaging-api.yml does NOT check (the emulator must, per API-FACTS §1)', () => {
    it('no format for user IDs: "not-a-user-id" passes the schema', () => {
      expectValid(send({ ...valid, to: ['not-a-user-id'] }));
    });
    it('no maxLength on TextMessage.text (the live API caps it at 5,000 UTF-16 units)', () => {
      expectValid(send({ ...valid, messages: [{ type: 'text', text: 'x'.repeat(6000) }] }));
    });
    it('unknown extra fields are allowed (no additionalProperties: false)', () => {
      expectValid(send({ ...valid, extra: 1 }));
    });
  });
});

describe('WhatsApp Cloud API (official business-messaging-api_v23.0.yaml)', () => {
  const messages = '/v23.0/1234567890/messages';
  const templates = '/v23.0/102290129340398/message_templates';
  const media = '/v23.0/1234567890/media';
  const send = (body: unknown): ValidationResult => whatsapp.validateRequestBody('POST', messages, body);
  const upload = (body: unknown, contentType = 'multipart/form-data'): ValidationResult =>
    whatsapp.validateRequestBody('POST', media, body, contentType);
  const template = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: '886912345678',
    type: 'template',
    template: {
      name: 'spring_sale',
      language: { code: 'zh_TW', policy: 'deterministic' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { id: '1479537139650973' } }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
      ],
    },
  };
  const withComponents = (components: unknown[]): unknown => ({ ...template, template: { ...template.template, components } });

  it('accepts a valid template send (header image by id or by link)', () => {
    expectValid(send(template));
    const linkHeader = { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/a.jpg' } }] };
    expectValid(send(withComponents([linkHeader, template.template.components[1]])));
  });

  it('rejects a send without messaging_product (BaseMessageProperties.required)', () => {
    const { messaging_product: _omitted, ...body } = template;
    expectRejected(
      send(body),
      /^\(root\) must have required property 'messaging_product' \[components\/schemas\/BaseMessageProperties\/required\]/,
    );
  });

  it('rejects a template without language or name (TemplateObject.required: name, language)', () => {
    const { language: _language, ...noLanguage } = template.template;
    expectRejected(send({ ...template, template: noLanguage }), /^\/template must have required property 'language'/);
    const { name: _name, ...noName } = template.template;
    expectRejected(send({ ...template, template: noName }), /^\/template must have required property 'name'/);
    const { template: _template, ...noTemplate } = template;
    expectRejected(send(noTemplate), /^\(root\) must have required property 'template'/);
  });

  it('follows the template discriminators (Message, TemplateComponent, ParameterObject)', () => {
    expectRejected(
      send(withComponents([
        { type: 'header', parameters: [{ type: 'image' }] },
        { type: 'body', parameters: [{ type: 'text' }, { type: 'emoji', text: 'x' }] },
      ])),
      /^\/template\/components\/0\/parameters\/0 must have required property 'image'/,
      /^\/template\/components\/1\/parameters\/0 must have required property 'text'/,
      /^\/template\/components\/1\/parameters\/1\/type must be equal to one of the allowed values/,
    );
    expectRejected(
      send(withComponents([{ type: 'header', parameters: [{ type: 'image', image: {} }] }])),
      /^\/template\/components\/0\/parameters\/0\/image must match exactly one schema in oneOf/,
    );
    expectRejected(
      send(withComponents([{ type: 'footer' }])),
      /^\/template\/components\/0\/type must be equal to one of the allowed values \["header","body","button"\]/,
    );
    expectRejected(send({ ...template, type: 'fax' }), /^\/type must be equal to one of the allowed values \["text",/);
  });

  it('validates the send response, and rejects a bad message_status', () => {
    const ok = {
      messaging_product: 'whatsapp',
      contacts: [{ input: '886912345678', wa_id: '886912345678' }],
      messages: [{ id: 'wamid.HBgLODg2OTEyMzQ1Njc4FQIAERgSQjQ2', message_status: 'accepted' }],
    };
    expectValid(whatsapp.validateResponse('POST', messages, 200, ok));
    expectValid(whatsapp.validateSchema('MessageResponsePayload', ok));
    expectRejected(
      whatsapp.validateResponse('POST', messages, 200, { ...ok, messages: [{ id: 'wamid.x', message_status: 'sent' }] }),
      /^\/messages\/0\/message_status must be equal to one of the allowed values \["accepted","held_for_quality_assessment","paused"\]/,
    );
    expectRejected(whatsapp.validateResponse('POST', messages, 200, { ...ok, contacts: {} }), /^\/contacts must be array/);
  });

  it('errors on /messages: only 200 is declared, so check error bodies against GraphAPIError', () => {
    const graphError = {
      error: { message: '(#131030) Recipient phone number not in allowed list', type: 'OAuthException', code: 131030, fbtrace_id: 'Az8or2yhqkZ' },
    };
    expectRejected(whatsapp.validateResponse('POST', messages, 400, graphError), /declares no 400 response \(declared: 200\)/);
    expectValid(whatsapp.validateResponse('POST', messages, 400, graphError, { allowUndeclaredStatus: true }));
    expectValid(whatsapp.validateSchema('GraphAPIError', graphError));
    expectRejected(
      whatsapp.validateSchema('GraphAPIError', { error: { message: 'x', type: 'OAuthException' } }),
      /^\/error must have required property 'code'/,
    );
  });

  it('validates a message_templates page', () => {
    const page = {
      data: [
        {
          id: '594425479261596',
          name: 'spring_sale',
          language: 'zh_TW',
          status: 'APPROVED',
          category: 'MARKETING',
          components: [
            { type: 'HEADER', format: 'IMAGE' },
            { type: 'BODY', text: 'Hi {{1}}, spring sale!' },
            { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop' }] },
          ],
        },
      ],
      paging: { cursors: { before: 'QVFIUk1', after: 'QVFIUkx' } },
    };
    const list = (body: unknown): ValidationResult => whatsapp.validateResponse('GET', templates, 200, body);
    expectValid(list(page));
    expectRejected(list({ ...page, data: page.data[0] }), /^\/data must be array/);
    expectRejected(list({ ...page, data: [{ ...page.data[0], status: 1 }] }), /^\/data\/0\/status must be string/);
    expectRejected(list({ ...page, paging: { cursors: { after: 7 } } }), /^\/paging\/cursors\/after must be string/);
  });

  it('validates a media upload: multipart fields (binary as string) and the {id} response', () => {
    expectValid(upload({ messaging_product: 'whatsapp', file: '<binary>' }));
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('file', new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }), 'a.jpg');
    expectValid(upload(form, 'multipart/form-data; boundary=----x'));
    expectValid(upload({ messaging_product: 'whatsapp', file: Buffer.from([1, 2]) }));
    expectRejected(upload({ messaging_product: { a: 1 } }), /^\/messaging_product must be string/);
    expectRejected(
      upload(Buffer.from([1]), 'image/jpeg'),
      /declares no request content image\/jpeg \(declared: application\/json, multipart\/form-data\)/,
    );
    expectValid(whatsapp.validateResponse('POST', media, 200, { id: '1479537139650973' }));
    expectRejected(whatsapp.validateResponse('POST', media, 200, { id: 1479537139650973 }), /^\/id must be string/);
  });

  describe('documents where the official document differs from the live API', () => {
    it("is STRICTER: language.policy and recipient_type are required (Meta's own examples omit both)", () => {
      // The live API accepts language {code} alone and defaults recipient_type to "individual". The app must send
      // both (policy: "deterministic", recipient_type: "individual") to conform; the live API accepts them too.
      expectRejected(
        send({ ...template, template: { ...template.template, language: { code: 'zh_TW' } } }),
        /^\/template\/language must have required property 'policy'/,
      );
      const { recipient_type: _omitted, ...noRecipientType } = template;
      expectRejected(send(noRecipientType), /required property 'recipient_type'/);
    });

    it('is UNSATISFIABLE for non-template types: allOf + additionalProperties:false rejects every text message', () => {
      // additionalProperties:false inside an allOf branch does not see BaseMessageProperties' fields, so no text,
      // image, audio… message can ever validate. Only template sends (TemplateMessage has no such clause) can.
      expectRejected(
        send({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '886912345678', type: 'text', text: { body: 'hi' } }),
        /must NOT have additional properties \('messaging_product'\) \[components\/schemas\/TextMessage\/allOf\/1\/additionalProperties\]/,
      );
    });

    it('is LOOSER: the send/template/media responses and the upload require no field; the send body is optional', () => {
      expectValid(whatsapp.validateResponse('POST', messages, 200, {}));
      expectValid(whatsapp.validateResponse('GET', templates, 200, {}));
      expectValid(whatsapp.validateResponse('POST', media, 200, {}));
      expectValid(upload({}));
      expectValid(send(undefined)); // requestBody has no `required: true`
      // …and `to` has no format: the live API wants digits (E.164 without '+').
      expectValid(send({ ...template, to: 'not a phone number' }));
    });
  });
});
