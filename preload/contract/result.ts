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
  /** Sign-in refused: wrong account or password. */
  'invalid_credentials',
  /** The Inbox URL is not an https URL (or http on a loopback address). */
  'invalid_inbox_url',
  /** The workspace could not be reached (network, DNS, refused, timeout). */
  'unreachable',
  /** The server answered something that is not the Inbox API. */
  'bad_server_response',
  /** Not signed in (or the token expired or was revoked): sign in again. */
  'not_signed_in',
  /** The workspace's plan does not include broadcasting (OMO only). */
  'forbidden_plan',
  /** The user's role may not broadcast (sales managers and sales persons only). */
  'forbidden_role',
  /** The demo workspace's sandbox could not start (see the log). */
  'demo_unavailable',
  /** The transport to main is closed (for example the preview host stopped); the call did not run. */
  'disconnected',
  /** The image file is over 20 MB. */
  'image_too_large',
  /** Not an image the app can read (JPEG, PNG, WebP, GIF, or HEIC where this build decodes it). */
  'image_unsupported',
  /** The file claims to be an image but cannot be decoded. */
  'image_corrupt',
  /** More pixels than the app decodes (a decompression bomb, or a panorama beyond 100 megapixels). */
  'image_too_many_pixels',
  /** The draft cannot be sent yet (compose.check lists why). */
  'draft_not_ready',
  /** Nobody is left to send to after the re-check (every event left 處理中, or none was selected). */
  'nothing_to_send',
  /** The confirmation is too old or unknown: confirm again (broadcast.prepare). */
  'plan_expired',
  /** More recipients than the LINE quota or the allowance takes: send to fewer (fit) or wait. */
  'over_limit',
  /** The broadcast already finished: it cannot be paused, resumed or cancelled. */
  'broadcast_finished',
  /** The broadcast is still sending: its failures can be retried once it has finished. */
  'broadcast_active',
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
