import { describe, expect, it } from 'vitest';
import { type GraphErrorKind, type WhatsAppReason, classifyGraphError, classifyTransportError } from '../../../main/channels/whatsapp/errors';
import { TemplateBuildError, buildTemplateMessage, flattenParamText, templateParamProblem } from '../../../main/channels/whatsapp/messages';

function graphBody(code: number, extra: Record<string, unknown> = {}): unknown {
  return {
    error: {
      message: `(#${code}) something`,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details: `details of ${code}` },
      fbtrace_id: 'Atrace',
      ...extra,
    },
  };
}

function refusal(run: () => unknown): TemplateBuildError {
  try {
    run();
  } catch (error) {
    if (error instanceof TemplateBuildError) return error;
    throw error;
  }
  throw new Error('expected a TemplateBuildError');
}

describe('buildTemplateMessage', () => {
  it('builds API-FACTS §3.1 exactly: image header by link, positional body, deterministic language', () => {
    const body = buildTemplateMessage({
      to: '+886912345678',
      template: { name: 'spring_sale', language: 'en_US', parameterFormat: 'POSITIONAL' },
      headerImage: { link: 'https://cdn.example/a.jpg' },
      bodyParameters: [{ text: 'Ana' }],
    });
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '886912345678',
      type: 'template',
      template: {
        name: 'spring_sale',
        language: { code: 'en_US', policy: 'deterministic' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example/a.jpg' } }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
        ],
      },
    });
  });

  it('uses an uploaded media id, and names parameters for NAMED templates', () => {
    const body = buildTemplateMessage({
      to: '886912345678',
      template: { name: 'store_event_named', language: 'zh_TW', parameterFormat: 'NAMED' },
      headerImage: { mediaId: '1234567890123456' },
      bodyParameters: [
        { name: 'first_name', text: '小明' },
        { name: 'event_date', text: '11/15' },
      ],
    });
    expect(body.template.components).toEqual([
      { type: 'header', parameters: [{ type: 'image', image: { id: '1234567890123456' } }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'first_name', text: '小明' },
          { type: 'text', parameter_name: 'event_date', text: '11/15' },
        ],
      },
    ]);
  });

  it('ignores names for positional templates and omits components when there are none', () => {
    const withNames = buildTemplateMessage({
      to: '886912345678',
      template: { name: 'coupon_reminder', language: 'en_US', parameterFormat: 'POSITIONAL' },
      bodyParameters: [{ name: 'ignored', text: 'Nov 30' }],
    });
    expect(withNames.template.components).toEqual([{ type: 'body', parameters: [{ type: 'text', text: 'Nov 30' }] }]);
    const bare = buildTemplateMessage({ to: '886912345678', template: { name: 'hello_world', language: 'en_US', parameterFormat: 'POSITIONAL' }, bodyParameters: [] });
    expect(bare.template).toEqual({ name: 'hello_world', language: { code: 'en_US', policy: 'deterministic' } });
  });

  it.each([
    ['a newline', 'line\nbreak', 'wa_param_invalid'],
    ['a carriage return', 'line\rbreak', 'wa_param_invalid'],
    ['a tab', 'tab\there', 'wa_param_invalid'],
    ['five spaces', 'a     b', 'wa_param_invalid'],
    ['an empty text', '', 'wa_param_empty'],
    ['a text over 1,024 characters', 'x'.repeat(1025), 'wa_text_too_long'],
  ])('refuses a body parameter with %s', (_label, text, code) => {
    const error = refusal(() =>
      buildTemplateMessage({
        to: '886912345678',
        template: { name: 'coupon_reminder', language: 'en_US', parameterFormat: 'POSITIONAL' },
        bodyParameters: [{ text: 'fine' }, { text }],
      }),
    );
    expect(error.code).toBe(code);
    expect(error.parameterIndex).toBe(1);
  });

  it('accepts four consecutive spaces', () => {
    expect(templateParamProblem('a    b')).toBeNull();
  });

  it.each([
    ['a malformed recipient', { to: '+886-912' }, 'wa_invalid_recipient'],
    ['a too short recipient', { to: '123' }, 'wa_invalid_recipient'],
    ['a template name with capitals', { template: { name: 'Spring', language: 'en_US', parameterFormat: 'POSITIONAL' as const } }, 'wa_invalid_template'],
    ['a bad language code', { template: { name: 'spring', language: 'english', parameterFormat: 'POSITIONAL' as const } }, 'wa_invalid_template'],
    ['an http header image', { headerImage: { link: 'http://cdn.example/a.jpg' } }, 'wa_invalid_header_image'],
    ['a header image that is not a URL', { headerImage: { link: 'not a url' } }, 'wa_invalid_header_image'],
    ['a non-numeric media id', { headerImage: { mediaId: 'abc' } }, 'wa_invalid_header_image'],
  ])('refuses %s', (_label, override, code) => {
    const error = refusal(() =>
      buildTemplateMessage({
        to: '886912345678',
        template: { name: 'spring', language: 'en_US', parameterFormat: 'POSITIONAL' },
        bodyParameters: [{ text: 'x' }],
        ...override,
      }),
    );
    expect(error.code).toBe(code);
  });

  it('allows http only on loopback, where the sandbox hosts media', () => {
    const body = buildTemplateMessage({
      to: '886912345678',
      template: { name: 'spring', language: 'en_US', parameterFormat: 'POSITIONAL' },
      headerImage: { link: 'http://127.0.0.1:4000/media/a.png' },
      bodyParameters: [],
    });
    expect(body.template.components?.[0]).toEqual({ type: 'header', parameters: [{ type: 'image', image: { link: 'http://127.0.0.1:4000/media/a.png' } }] });
  });

  it('refuses NAMED parameters without a name, with a bad name, or with a repeated one', () => {
    const named = (bodyParameters: Array<{ name?: string; text: string }>) => () =>
      buildTemplateMessage({ to: '886912345678', template: { name: 'store_event', language: 'zh_TW', parameterFormat: 'NAMED' }, bodyParameters });
    expect(refusal(named([{ text: 'x' }])).code).toBe('wa_param_name_missing');
    expect(refusal(named([{ name: '', text: 'x' }])).code).toBe('wa_param_name_missing');
    expect(refusal(named([{ name: 'First Name', text: 'x' }])).code).toBe('wa_param_name_invalid');
    expect(refusal(named([{ name: 'first_name', text: 'x' }, { name: 'first_name', text: 'y' }])).code).toBe('wa_param_name_invalid');
  });

  it('flattens free text into a sendable parameter', () => {
    const flat = flattenParamText('  Line one\n\n\tline     two  ');
    expect(flat).toBe('Line one line two');
    expect(templateParamProblem(flat)).toBeNull();
  });
});

describe('classifyGraphError', () => {
  const cases: Array<[number, number, GraphErrorKind, WhatsAppReason]> = [
    [401, 190, 'auth', 'wa_auth_invalid'],
    [401, 0, 'auth', 'wa_auth_invalid'],
    [400, 104, 'auth', 'wa_auth_invalid'],
    [403, 10, 'auth', 'wa_permission_denied'],
    [403, 200, 'auth', 'wa_permission_denied'],
    [403, 368, 'auth', 'wa_account_restricted'],
    [403, 131031, 'auth', 'wa_account_restricted'],
    [400, 133010, 'auth', 'wa_number_not_registered'],
    [429, 4, 'rate_limited', 'wa_app_rate_limited'],
    [429, 80007, 'rate_limited', 'wa_app_rate_limited'],
    [429, 130429, 'rate_limited', 'wa_throughput_limited'],
    [429, 131048, 'rate_limited', 'wa_spam_rate_limited'],
    [429, 131056, 'pair_rate_limited', 'wa_pair_rate_limited'],
    [500, 1, 'retryable', 'wa_server_error'],
    [500, 2, 'retryable', 'wa_service_unavailable'],
    [500, 131000, 'retryable', 'wa_server_error'],
    [503, 131016, 'retryable', 'wa_service_unavailable'],
    [503, 133004, 'retryable', 'wa_service_unavailable'],
    [400, 100, 'permanent', 'wa_invalid_parameter'],
    [400, 131008, 'permanent', 'wa_missing_parameter'],
    [400, 131009, 'permanent', 'wa_invalid_parameter'],
    [400, 131051, 'permanent', 'wa_unsupported_message_type'],
    [400, 131026, 'permanent', 'wa_undeliverable'],
    [400, 131047, 'permanent', 'wa_window_closed'],
    [400, 131049, 'permanent', 'wa_ecosystem_limit'],
    [400, 131050, 'permanent', 'wa_opted_out'],
    [400, 131052, 'permanent', 'wa_media_error'],
    [400, 131053, 'permanent', 'wa_media_error'],
    [400, 132000, 'permanent', 'wa_param_count'],
    [400, 132001, 'permanent', 'wa_template_missing'],
    [400, 132005, 'permanent', 'wa_text_too_long'],
    [400, 132012, 'permanent', 'wa_param_format'],
    [400, 132015, 'permanent', 'wa_template_paused'],
    [400, 132016, 'permanent', 'wa_template_disabled'],
    [400, 132018, 'permanent', 'wa_param_invalid'],
  ];

  it.each(cases)('HTTP %i with code %i is %s (%s)', (status, code, kind, reason) => {
    const result = classifyGraphError(status, graphBody(code));
    expect(result).toMatchObject({ kind, code, reason, status, detail: `details of ${code}` });
  });

  it('branches on the code, not on the HTTP status', () => {
    expect(classifyGraphError(400, graphBody(131056)).kind).toBe('pair_rate_limited');
    expect(classifyGraphError(200, graphBody(131026)).kind).toBe('permanent');
  });

  it('gives rate limits a retry hint, from the usage header when Graph sends one', () => {
    expect(classifyGraphError(429, graphBody(130429)).retryAfterMs).toBe(1000);
    expect(classifyGraphError(429, graphBody(131056)).retryAfterMs).toBe(6000);
    const usage = JSON.stringify({ '123': [{ type: 'whatsapp', call_count: 100, estimated_time_to_regain_access: 3 }] });
    expect(classifyGraphError(429, graphBody(80007), { 'x-business-use-case-usage': usage }).retryAfterMs).toBe(180_000);
    // The usage header is about app-level limits: a number's throughput limit still clears in a second.
    expect(classifyGraphError(429, graphBody(130429), { 'x-business-use-case-usage': usage }).retryAfterMs).toBe(1000);
    expect(classifyGraphError(429, graphBody(131056), { 'x-business-use-case-usage': usage }).retryAfterMs).toBe(6000);
    expect(classifyGraphError(429, graphBody(4), { 'retry-after': '7' }).retryAfterMs).toBe(7000);
    expect(classifyGraphError(400, graphBody(131026)).retryAfterMs).toBeUndefined();
  });

  it('falls back on the status for an unknown code or a body that is not Graph’s', () => {
    expect(classifyGraphError(400, graphBody(999_999))).toMatchObject({ kind: 'permanent', reason: 'wa_unknown', code: 999_999 });
    expect(classifyGraphError(500, graphBody(999_999, { is_transient: true }))).toMatchObject({ kind: 'retryable' });
    expect(classifyGraphError(400, graphBody(999_999, { is_transient: true }))).toMatchObject({ kind: 'retryable' });
    expect(classifyGraphError(502, '<html>Bad gateway</html>')).toMatchObject({ kind: 'retryable', code: null, reason: 'wa_server_error', detail: 'HTTP 502' });
    expect(classifyGraphError(504, null)).toMatchObject({ kind: 'ambiguous', reason: 'wa_timeout' });
    expect(classifyGraphError(429, {})).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
    expect(classifyGraphError(401, {})).toMatchObject({ kind: 'auth', reason: 'wa_auth_invalid' });
    expect(classifyGraphError(403, {})).toMatchObject({ kind: 'auth', reason: 'wa_permission_denied' });
    expect(classifyGraphError(413, {})).toMatchObject({ kind: 'permanent', reason: 'wa_request_too_large' });
    expect(classifyGraphError(404, { error: { code: 'x' } })).toMatchObject({ kind: 'permanent', code: null });
  });
});

describe('classifyTransportError', () => {
  it('never lets a send that may have left be retried automatically', () => {
    expect(classifyTransportError('ECONNRESET', { idempotent: false, timedOut: false })).toMatchObject({ kind: 'ambiguous', reason: 'wa_network' });
    expect(classifyTransportError('ETIMEDOUT', { idempotent: false, timedOut: true })).toMatchObject({ kind: 'ambiguous', reason: 'wa_timeout' });
    expect(classifyTransportError(undefined, { idempotent: false, timedOut: false })).toMatchObject({ kind: 'ambiguous' });
  });

  it('retries what surely never left, and anything idempotent', () => {
    expect(classifyTransportError('ECONNREFUSED', { idempotent: false, timedOut: false })).toMatchObject({ kind: 'retryable', code: null, status: null });
    expect(classifyTransportError('ENOTFOUND', { idempotent: false, timedOut: false }).kind).toBe('retryable');
    expect(classifyTransportError('ETIMEDOUT', { idempotent: true, timedOut: true }).kind).toBe('retryable');
  });
});
