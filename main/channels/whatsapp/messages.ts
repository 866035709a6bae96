/**
 * Builds the body of `POST /{version}/{phone-number-id}/messages` for a template message (API-FACTS §3.1), refusing
 * locally what Meta would refuse, so a broadcast fails before its first request rather than once per recipient.
 */

export type ParameterFormat = 'POSITIONAL' | 'NAMED';

export interface TemplateRef {
  name: string;
  /** Meta's locale code, e.g. `zh_TW`, `en_US`. */
  language: string;
  parameterFormat: ParameterFormat;
}

export type HeaderImage = { mediaId: string } | { link: string };

export interface BodyParameter {
  /** Required for NAMED templates (`{{first_name}}` → `first_name`); ignored for positional ones. */
  name?: string;
  text: string;
}

export interface TemplateMessageInput {
  /** E.164, with or without a leading '+'. */
  to: string;
  template: TemplateRef;
  headerImage?: HeaderImage;
  bodyParameters: readonly BodyParameter[];
}

export interface TemplateParameter {
  type: 'text';
  text: string;
  parameter_name?: string;
}

export interface ImageParameter {
  type: 'image';
  image: { id: string } | { link: string };
}

export type TemplateComponentPayload =
  | { type: 'header'; parameters: [ImageParameter] }
  | { type: 'body'; parameters: TemplateParameter[] };

export interface TemplateMessagePayload {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: 'template';
  template: {
    name: string;
    language: { code: string; policy: 'deterministic' };
    components?: TemplateComponentPayload[];
  };
}

/** Stable codes for the UI; each names the Graph error Meta would have answered. */
export type TemplateBuildErrorCode =
  | 'wa_invalid_recipient' // 100
  | 'wa_invalid_template' // 132001 for a bad name or language
  | 'wa_param_invalid' // 132018: newline, tab or > 4 spaces
  | 'wa_param_empty' // 132012
  | 'wa_text_too_long' // 132005
  | 'wa_param_name_missing' // 131008
  | 'wa_param_name_invalid' // 132012
  | 'wa_invalid_header_image'; // 131009

export class TemplateBuildError extends Error {
  override readonly name = 'TemplateBuildError';

  constructor(
    readonly code: TemplateBuildErrorCode,
    message: string,
    /** The index of the offending body parameter, when one is to blame. */
    readonly parameterIndex?: number,
  ) {
    super(message);
  }
}

const PHONE = /^\d{6,15}$/;
/** Meta's template names: lower-case letters, digits and underscores, up to 512 characters. */
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/;
const NAMED_PARAM = /^[a-z0-9_]{1,64}$/;
/** Meta refuses template parameters with a newline, a tab or more than four consecutive spaces. */
const BAD_PARAM_TEXT = /[\n\r\t]| {5,}/;
/** A body may be 1,024 characters hydrated, so no single parameter can be longer. */
const MAX_PARAM_TEXT = 1024;
const MEDIA_ID = /^\d{1,32}$/;

/** The text as Meta will accept it, or the reason it will not. */
export function templateParamProblem(text: string): Extract<TemplateBuildErrorCode, 'wa_param_empty' | 'wa_param_invalid' | 'wa_text_too_long'> | null {
  if (text.length === 0) return 'wa_param_empty';
  if (text.length > MAX_PARAM_TEXT) return 'wa_text_too_long';
  if (BAD_PARAM_TEXT.test(text)) return 'wa_param_invalid';
  return null;
}

/**
 * Makes a free-form text fit as a template parameter the way most senders do: every run of whitespace becomes one
 * space. For the composer, which should show the user the flattened text before sending.
 */
export function flattenParamText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function headerImageParameter(image: HeaderImage): ImageParameter {
  if ('mediaId' in image) {
    if (!MEDIA_ID.test(image.mediaId)) throw new TemplateBuildError('wa_invalid_header_image', 'The header image id is not a WhatsApp media id.');
    return { type: 'image', image: { id: image.mediaId } };
  }
  let url: URL;
  try {
    url = new URL(image.link);
  } catch {
    throw new TemplateBuildError('wa_invalid_header_image', 'The header image link is not a URL.');
  }
  // Meta fetches the link itself; plain http is allowed only on loopback, where the sandbox hosts media.
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new TemplateBuildError('wa_invalid_header_image', 'The header image link must use HTTPS.');
  }
  return { type: 'image', image: { link: image.link } };
}

export function buildTemplateMessage(input: TemplateMessageInput): TemplateMessagePayload {
  const to = input.to.startsWith('+') ? input.to.slice(1) : input.to;
  if (!PHONE.test(to)) throw new TemplateBuildError('wa_invalid_recipient', `'${input.to}' is not a WhatsApp number (E.164 digits).`);
  const { name, language, parameterFormat } = input.template;
  if (!TEMPLATE_NAME.test(name)) throw new TemplateBuildError('wa_invalid_template', `'${name}' is not a template name.`);
  if (!LANGUAGE.test(language)) throw new TemplateBuildError('wa_invalid_template', `'${language}' is not a template language code.`);

  const named = parameterFormat === 'NAMED';
  const seen = new Set<string>();
  const parameters = input.bodyParameters.map((parameter, index): TemplateParameter => {
    const problem = templateParamProblem(parameter.text);
    if (problem) throw new TemplateBuildError(problem, `Body parameter ${index + 1} cannot be sent as is (${problem}).`, index);
    if (!named) return { type: 'text', text: parameter.text };
    if (parameter.name === undefined || parameter.name === '') {
      throw new TemplateBuildError('wa_param_name_missing', `Body parameter ${index + 1} needs a name for a NAMED template.`, index);
    }
    if (!NAMED_PARAM.test(parameter.name) || seen.has(parameter.name)) {
      throw new TemplateBuildError('wa_param_name_invalid', `Body parameter name '${parameter.name}' is invalid or repeated.`, index);
    }
    seen.add(parameter.name);
    return { type: 'text', parameter_name: parameter.name, text: parameter.text };
  });

  const components: TemplateComponentPayload[] = [];
  if (input.headerImage) components.push({ type: 'header', parameters: [headerImageParameter(input.headerImage)] });
  if (parameters.length > 0) components.push({ type: 'body', parameters });
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: {
      name,
      language: { code: language, policy: 'deterministic' },
      ...(components.length > 0 ? { components } : {}),
    },
  };
}
