import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient } from '../../main/channels/whatsapp/client';
import { type TemplateMessageInput, buildTemplateMessage } from '../../main/channels/whatsapp/messages';
import { type Sandbox, startSandbox } from '../../main/sandbox/server';
import type { WhatsAppNumber } from '../../main/sandbox/world';
import { loadSpec } from '../helpers/openapi';

/**
 * The template messages our WhatsApp builder makes and the sandbox's answers, checked against Meta's official
 * OpenAPI document (../shared/specs/whatsapp/business-messaging-api_v23.0.yaml).
 */
const spec = loadSpec('whatsapp');
let sandbox: Sandbox;
let number: WhatsAppNumber;
let contacts: string[];

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

beforeAll(async () => {
  sandbox = await startSandbox({ events: 400, seed: 2 });
  const { world } = sandbox.context;
  const first = world.whatsappNumbers[0];
  if (!first) throw new Error('no WhatsApp number');
  number = first;
  contacts = [...world.whatsappContacts.values()]
    .filter((contact) => contact.phoneNumberId === number.phoneNumberId && !contact.undeliverable)
    .map((contact) => contact.waId);
});

afterAll(async () => {
  await sandbox.close();
});

const messagesPath = () => `/${number.graphVersion}/${number.phoneNumberId}/messages`;

async function post(path: string, body: unknown) {
  const response = await fetch(`${sandbox.origin}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${number.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('WhatsApp: our template messages conform to the official document and are accepted', () => {
  const cases: Array<[string, (to: string, mediaId: string) => TemplateMessageInput]> = [
    [
      'positional with an uploaded image header',
      (to, mediaId) => ({
        to,
        template: { name: 'new_arrival', language: 'zh_TW', parameterFormat: 'POSITIONAL' },
        headerImage: { mediaId },
        bodyParameters: [{ text: '王小明' }, { text: '春季新品' }],
      }),
    ],
    [
      'named parameters',
      (to) => ({
        to,
        template: { name: 'store_event_named', language: 'zh_TW', parameterFormat: 'NAMED' },
        bodyParameters: [
          { name: 'first_name', text: 'Amy' },
          { name: 'event_date', text: '12/24' },
        ],
      }),
    ],
    [
      'text only, with a + in the number',
      (to) => ({ to: `+${to}`, template: { name: 'coupon_reminder', language: 'en_US', parameterFormat: 'POSITIONAL' }, bodyParameters: [{ text: 'SAVE10' }] }),
    ],
  ];

  it.each(cases)('%s', async (_label, make) => {
    const client = createGraphClient({ baseURL: sandbox.origin, version: number.graphVersion, accessToken: number.accessToken });
    const upload = await client.uploadMedia(number.phoneNumberId, { bytes: PNG, mimeType: 'image/png', filename: 'new.png' });
    if (!upload.ok) throw new Error(`upload failed: ${JSON.stringify(upload.error)}`);
    const to = contacts.shift() ?? '';
    const body = buildTemplateMessage(make(to, upload.value.id));
    expect(spec.validateRequestBody('POST', messagesPath(), body)).toEqual({ valid: true, errors: [] });
    const answer = await post(messagesPath(), body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(spec.validateResponse('POST', messagesPath(), 200, answer.body).errors).toEqual([]);
  });

  it('the check has teeth: a body without language.policy, as Meta’s schema requires it, fails', () => {
    const body = buildTemplateMessage({ to: '886900000000', template: { name: 'coupon_reminder', language: 'zh_TW', parameterFormat: 'POSITIONAL' }, bodyParameters: [{ text: 'A' }] });
    const broken = { ...body, template: { ...body.template, language: { code: 'zh_TW' } } };
    expect(spec.validateRequestBody('POST', messagesPath(), broken).valid).toBe(false);
  });
});

describe('WhatsApp: the sandbox answers as the official document says', () => {
  it('template pages', async () => {
    const path = `/${number.graphVersion}/${number.wabaId}/message_templates`;
    const response = await fetch(`${sandbox.origin}${path}?limit=2`, { headers: { authorization: `Bearer ${number.accessToken}` } });
    expect(response.status).toBe(200);
    expect(spec.validateResponse('GET', path, 200, await response.json()).errors).toEqual([]);
  });

  it('media upload: the multipart fields we send and the answer', async () => {
    const path = `/${number.graphVersion}/${number.phoneNumberId}/media`;
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('file', new Blob([PNG], { type: 'image/png' }), 'a.png');
    expect(spec.validateRequestBody('POST', path, form, 'multipart/form-data').errors).toEqual([]);
    const response = await fetch(`${sandbox.origin}${path}`, { method: 'POST', headers: { authorization: `Bearer ${number.accessToken}` }, body: form });
    expect(response.status).toBe(200);
    expect(spec.validateResponse('POST', path, 200, await response.json()).errors).toEqual([]);
  });

  it('every error is a GraphAPIError', async () => {
    const errors = [
      await post(messagesPath(), { messaging_product: 'whatsapp', to: contacts[0], type: 'template', template: { name: 'nope', language: { code: 'zh_TW' } } }),
      await post(messagesPath(), { to: contacts[0] }),
      await post(`/${number.graphVersion}/999/messages`, {}),
    ];
    for (const error of errors) {
      expect(error.status).toBeGreaterThanOrEqual(400);
      expect(spec.validateSchema('GraphAPIError', error.body).errors).toEqual([]);
    }
  });
});
