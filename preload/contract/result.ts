/**
 * The Result envelope: nothing throws across the bridge. Error codes are stable strings the UI translates.
 */
export const ERROR_CODES = [
  /** The input did not match the method's schema. */
  'invalid_input',
  /** The method name is not part of the contract. */
  'unknown_method',
  /** The caller is not the app's own renderer (wrong frame, wrong origin, wrong key). */
  'forbidden_sender',
  /** The record asked for does not exist. */
  'not_found',
  /** The local database cannot be used (for example it was written by a newer version of the app). */
  'storage_unavailable',
  /** The demo workspace's sandbox could not start (see the log). */
  'demo_unavailable',
  /** The transport to main is closed (for example the preview host stopped); the call did not run. */
  'disconnected',
  /** An unexpected failure in main; details are in the log, never in the message. */
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppError {
  readonly code: ErrorCode;
  /** An English, developer-facing explanation. The UI shows its own translation of `code`. */
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
