import type { TFunction } from 'i18next';
import type { ComposeProblem, ComposeProblemCode } from '../../../../preload/contract';
import { errorMessageKey } from '../../i18n';
import { paramLabel } from './model';

type ProblemKey = `composer.problems.${ComposeProblemCode}`;

/** Every problem code of the contract, mapped to its message. Record<ComposeProblemCode,…>: a new code fails to compile. */
export const PROBLEM_KEYS: Readonly<Record<ComposeProblemCode, ProblemKey>> = {
  no_recipients: 'composer.problems.no_recipients',
  line_empty: 'composer.problems.line_empty',
  text_too_long: 'composer.problems.text_too_long',
  text_too_long_tagged: 'composer.problems.text_too_long_tagged',
  image_missing: 'composer.problems.image_missing',
  wa_templates_unavailable: 'composer.problems.wa_templates_unavailable',
  wa_template_missing: 'composer.problems.wa_template_missing',
  wa_template_unknown: 'composer.problems.wa_template_unknown',
  wa_template_not_approved: 'composer.problems.wa_template_not_approved',
  wa_template_unsupported: 'composer.problems.wa_template_unsupported',
  wa_header_image_missing: 'composer.problems.wa_header_image_missing',
  wa_param_missing: 'composer.problems.wa_param_missing',
  wa_param_invalid: 'composer.problems.wa_param_invalid',
  wa_param_too_long: 'composer.problems.wa_param_too_long',
};

export function problemMessage(t: TFunction, problem: ComposeProblem): string {
  return t(PROBLEM_KEYS[problem.code], { param: problem.param === null ? '' : paramLabel(problem.param) });
}

const KNOWN_STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'] as const;
type KnownStatus = (typeof KNOWN_STATUSES)[number];

function isKnownStatus(status: string): status is KnownStatus {
  return (KNOWN_STATUSES as readonly string[]).includes(status);
}

/** Meta's template status in words (an unknown one as Meta spells it). */
export function templateStatusLabel(t: TFunction, status: string): string {
  return isKnownStatus(status) ? t(`composer.whatsapp.statuses.${status}`) : status.toLowerCase();
}

/** An error code from main that may not be one of the contract's (a template refresh's): its message. */
export function reasonMessage(t: TFunction, code: string | null): string {
  const key = errorMessageKey(code);
  return key ? t(key) : t('errors.internal');
}
