import type { TFunction } from 'i18next';

/**
 * Every reason code main stores for a failed or unknown recipient (broadcast.problems' `reason`). Main's own types
 * (WhatsAppReason, TemplateBuildErrorCode, the LINE and outbox codes) cannot be imported here, so they are listed
 * again; a code missing from this list still shows, as 其他原因 with the code itself.
 */
export type ProblemReason =
  // WhatsApp: Graph's answers, as main/channels/whatsapp/errors.ts classifies them.
  | 'wa_auth_invalid'
  | 'wa_permission_denied'
  | 'wa_account_restricted'
  | 'wa_number_not_registered'
  | 'wa_app_rate_limited'
  | 'wa_throughput_limited'
  | 'wa_spam_rate_limited'
  | 'wa_pair_rate_limited'
  | 'wa_invalid_parameter'
  | 'wa_missing_parameter'
  | 'wa_unsupported_message_type'
  | 'wa_undeliverable'
  | 'wa_window_closed'
  | 'wa_ecosystem_limit'
  | 'wa_opted_out'
  | 'wa_media_error'
  | 'wa_param_count'
  | 'wa_template_missing'
  | 'wa_text_too_long'
  | 'wa_param_format'
  | 'wa_param_invalid'
  | 'wa_template_paused'
  | 'wa_template_disabled'
  | 'wa_request_too_large'
  | 'wa_server_error'
  | 'wa_service_unavailable'
  | 'wa_network'
  | 'wa_timeout'
  | 'wa_unknown'
  // WhatsApp: refused while building the template message, before anything was sent (messages.ts).
  | 'wa_invalid_recipient'
  | 'wa_invalid_template'
  | 'wa_param_empty'
  | 'wa_param_name_missing'
  | 'wa_param_name_invalid'
  | 'wa_invalid_header_image'
  // LINE (main/channels/line/errors.ts and the outbox).
  | 'line_quota'
  | 'line_rejected'
  | 'line_invalid'
  | 'line_timeout'
  | 'line_network'
  | 'line_unreadable'
  | 'line_unknown'
  | 'line_server_error'
  // Either channel (the outbox).
  | 'media_failed'
  | 'channel_unavailable'
  | 'interrupted'
  | 'content_unreadable'
  | 'internal';

type ReasonKey = `broadcast.problems.reasons.${ProblemReason}`;

/** Record<ProblemReason,…>: a code added to the union above fails to compile until it has its words. */
const REASON_KEYS: Readonly<Record<ProblemReason, ReasonKey>> = {
  wa_auth_invalid: 'broadcast.problems.reasons.wa_auth_invalid',
  wa_permission_denied: 'broadcast.problems.reasons.wa_permission_denied',
  wa_account_restricted: 'broadcast.problems.reasons.wa_account_restricted',
  wa_number_not_registered: 'broadcast.problems.reasons.wa_number_not_registered',
  wa_app_rate_limited: 'broadcast.problems.reasons.wa_app_rate_limited',
  wa_throughput_limited: 'broadcast.problems.reasons.wa_throughput_limited',
  wa_spam_rate_limited: 'broadcast.problems.reasons.wa_spam_rate_limited',
  wa_pair_rate_limited: 'broadcast.problems.reasons.wa_pair_rate_limited',
  wa_invalid_parameter: 'broadcast.problems.reasons.wa_invalid_parameter',
  wa_missing_parameter: 'broadcast.problems.reasons.wa_missing_parameter',
  wa_unsupported_message_type: 'broadcast.problems.reasons.wa_unsupported_message_type',
  wa_undeliverable: 'broadcast.problems.reasons.wa_undeliverable',
  wa_window_closed: 'broadcast.problems.reasons.wa_window_closed',
  wa_ecosystem_limit: 'broadcast.problems.reasons.wa_ecosystem_limit',
  wa_opted_out: 'broadcast.problems.reasons.wa_opted_out',
  wa_media_error: 'broadcast.problems.reasons.wa_media_error',
  wa_param_count: 'broadcast.problems.reasons.wa_param_count',
  wa_template_missing: 'broadcast.problems.reasons.wa_template_missing',
  wa_text_too_long: 'broadcast.problems.reasons.wa_text_too_long',
  wa_param_format: 'broadcast.problems.reasons.wa_param_format',
  wa_param_invalid: 'broadcast.problems.reasons.wa_param_invalid',
  wa_template_paused: 'broadcast.problems.reasons.wa_template_paused',
  wa_template_disabled: 'broadcast.problems.reasons.wa_template_disabled',
  wa_request_too_large: 'broadcast.problems.reasons.wa_request_too_large',
  wa_server_error: 'broadcast.problems.reasons.wa_server_error',
  wa_service_unavailable: 'broadcast.problems.reasons.wa_service_unavailable',
  wa_network: 'broadcast.problems.reasons.wa_network',
  wa_timeout: 'broadcast.problems.reasons.wa_timeout',
  wa_unknown: 'broadcast.problems.reasons.wa_unknown',
  wa_invalid_recipient: 'broadcast.problems.reasons.wa_invalid_recipient',
  wa_invalid_template: 'broadcast.problems.reasons.wa_invalid_template',
  wa_param_empty: 'broadcast.problems.reasons.wa_param_empty',
  wa_param_name_missing: 'broadcast.problems.reasons.wa_param_name_missing',
  wa_param_name_invalid: 'broadcast.problems.reasons.wa_param_name_invalid',
  wa_invalid_header_image: 'broadcast.problems.reasons.wa_invalid_header_image',
  line_quota: 'broadcast.problems.reasons.line_quota',
  line_rejected: 'broadcast.problems.reasons.line_rejected',
  line_invalid: 'broadcast.problems.reasons.line_invalid',
  line_timeout: 'broadcast.problems.reasons.line_timeout',
  line_network: 'broadcast.problems.reasons.line_network',
  line_unreadable: 'broadcast.problems.reasons.line_unreadable',
  line_unknown: 'broadcast.problems.reasons.line_unknown',
  line_server_error: 'broadcast.problems.reasons.line_server_error',
  media_failed: 'broadcast.problems.reasons.media_failed',
  channel_unavailable: 'broadcast.problems.reasons.channel_unavailable',
  interrupted: 'broadcast.problems.reasons.interrupted',
  content_unreadable: 'broadcast.problems.reasons.content_unreadable',
  internal: 'broadcast.problems.reasons.internal',
};

export function isProblemReason(code: string): code is ProblemReason {
  return Object.hasOwn(REASON_KEYS, code);
}

/** A reason in words: `known` false means the code is not one this version knows (show the code too). */
export interface ReasonWords {
  text: string;
  known: boolean;
}

export function problemReasonWords(t: TFunction, code: string): ReasonWords {
  return isProblemReason(code) ? { text: t(REASON_KEYS[code]), known: true } : { text: t('broadcast.problems.otherReason'), known: false };
}
