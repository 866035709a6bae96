import type { MAX_TEXT_LENGTH } from '../../../../preload/contract';

/**
 * LINE's text limit, counted in UTF-16 code units (JavaScript's `length`). Typed as the contract's own literal, so a
 * change there fails to compile here (the renderer may import only types from the contract).
 */
export const TEXT_LIMIT: typeof MAX_TEXT_LENGTH = 5000;

/** Near the limit the counter turns amber, so the limit is never a surprise. */
export const TEXT_WARNING_AT = 4500;

/**
 * The contract's MAX_IMAGE_BYTES (20 MiB): a bigger file is refused here, before it is read, with main's own
 * image_too_large. The contract's value is not a literal type, so a component test checks the two agree.
 */
export const IMAGE_LIMIT_BYTES = 20 * 1024 * 1024;

/** Autosave waits this long after the last edit… */
export const AUTOSAVE_DELAY_MS = 400;
/** …but never longer than this after the first unsaved edit, so steady typing still saves (a crash loses < 1 s). */
export const AUTOSAVE_MAX_WAIT_MS = 800;
