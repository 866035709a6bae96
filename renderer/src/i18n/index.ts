import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { ErrorCode, Language } from '../../../preload/contract';
import { en } from './en';
import { zhTW, type Messages } from './zh-TW';

export const DEFAULT_LANGUAGE: Language = 'zh-TW';
export const LANGUAGES: readonly Language[] = ['zh-TW', 'en'];

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages };
  }
}

export const i18n: I18n = i18next.createInstance();

// Resources are bundled, so initialisation is synchronous: the first render is already translated.
void i18n.use(initReactI18next).init({
  resources: { 'zh-TW': { translation: zhTW }, en: { translation: en } },
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  defaultNS: 'translation',
  initAsync: false,
  interpolation: { escapeValue: false },
  returnNull: false,
  react: { useSuspense: false },
});

function syncDocumentLanguage(language: string): void {
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}
syncDocumentLanguage(i18n.language);
i18n.on('languageChanged', syncDocumentLanguage);

export function isLanguage(value: unknown): value is Language {
  return value === 'zh-TW' || value === 'en';
}

/** The current language as the contract names it. */
export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : DEFAULT_LANGUAGE;
}

/** Changes the UI language (and, through the listener above, <html lang>). */
export async function applyLanguage(language: Language): Promise<void> {
  if (i18n.language !== language) await i18n.changeLanguage(language);
}

type ErrorKey = `errors.${ErrorCode}`;

/** Every stable error code of the contract, mapped to its message. Record<ErrorCode,…> makes a new code a compile error. */
export const ERROR_MESSAGE_KEYS: Readonly<Record<ErrorCode, ErrorKey>> = {
  invalid_input: 'errors.invalid_input',
  unknown_method: 'errors.unknown_method',
  forbidden_sender: 'errors.forbidden_sender',
  not_found: 'errors.not_found',
  storage_unavailable: 'errors.storage_unavailable',
  invalid_credentials: 'errors.invalid_credentials',
  invalid_inbox_url: 'errors.invalid_inbox_url',
  unreachable: 'errors.unreachable',
  bad_server_response: 'errors.bad_server_response',
  not_signed_in: 'errors.not_signed_in',
  forbidden_plan: 'errors.forbidden_plan',
  forbidden_role: 'errors.forbidden_role',
  demo_unavailable: 'errors.demo_unavailable',
  disconnected: 'errors.disconnected',
  image_too_large: 'errors.image_too_large',
  image_unsupported: 'errors.image_unsupported',
  image_corrupt: 'errors.image_corrupt',
  image_too_many_pixels: 'errors.image_too_many_pixels',
  draft_not_ready: 'errors.draft_not_ready',
  nothing_to_send: 'errors.nothing_to_send',
  plan_expired: 'errors.plan_expired',
  over_limit: 'errors.over_limit',
  broadcast_finished: 'errors.broadcast_finished',
  broadcast_active: 'errors.broadcast_active',
  internal: 'errors.internal',
};

/** A code from main that may or may not be one of the contract's (sync errors are plain strings): its message key. */
export function errorMessageKey(code: string | null | undefined): ErrorKey | null {
  if (!code) return null;
  return Object.hasOwn(ERROR_MESSAGE_KEYS, code) ? ERROR_MESSAGE_KEYS[code as ErrorCode] : null;
}
