/**
 * Where secrets live (tokens, channel credentials). In Electron it is backed by safeStorage; in the preview host and
 * tests by memory. Nothing else in main stores a secret.
 */
export interface Vault {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** Whether secrets are encrypted at rest by the operating system. */
  readonly encrypted: boolean;
}

export class MemoryVault implements Vault {
  readonly encrypted = false;
  readonly #values = new Map<string, string>();

  async get(name: string): Promise<string | null> {
    return this.#values.get(name) ?? null;
  }

  async set(name: string, value: string): Promise<void> {
    this.#values.set(name, value);
  }

  async delete(name: string): Promise<void> {
    this.#values.delete(name);
  }
}
