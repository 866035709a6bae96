/** Why the store refused to open. The UI maps each code to its own words; the message is for logs and developers. */
export type StoreErrorCode = 'newer_version' | 'corrupt' | 'migration_failed';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}
