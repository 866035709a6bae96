import type { MAX_TEXT_LENGTH } from '../../../../preload/contract';

/**
 * LINE's text limit, counted in UTF-16 code units (JavaScript's `length`). Typed as the contract's own literal, so a
 * change there fails to compile here (the renderer may import only types from the contract).
 */
export const TEXT_LIMIT: typeof MAX_TEXT_LENGTH = 5000;

/** Near the limit the counter turns amber, so the limit is never a surprise. */
export const TEXT_WARNING_AT = 4500;
