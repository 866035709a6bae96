import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import { type Logger, silentLogger } from '../log';
import type { Vault } from '../vault';

export const VAULT_UNAVAILABLE_MESSAGE =
  'Secure storage is not available on this system, so the app cannot keep passwords or tokens. ' +
  'On Linux, install and unlock a keyring (GNOME Keyring or KWallet) and restart the app.';

type SafeStorageApi = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> &
  Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;

/** The file's shape: name → base64 of safeStorage's ciphertext. A version leaves room for a later format. */
interface VaultFile {
  version: 1;
  entries: Record<string, string>;
}

function isVaultFile(value: unknown): value is VaultFile {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { version?: unknown; entries?: unknown };
  if (candidate.version !== 1 || typeof candidate.entries !== 'object' || candidate.entries === null) return false;
  return Object.values(candidate.entries).every((entry) => typeof entry === 'string');
}

/**
 * Secrets encrypted by the operating system (Keychain, DPAPI, libsecret/kwallet) through Electron's safeStorage,
 * kept in one JSON file in the user-data folder. Plain text is never written: without encryption, set() refuses.
 */
export class SafeStorageVault implements Vault {
  readonly #safeStorage: SafeStorageApi;
  readonly #filePath: string;
  readonly #logger: Logger;
  /** Writes are chained so two set() calls cannot lose each other's entry. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Values this run has seen, for the log redactor: a secret in memory is a secret that could be logged. */
  readonly #seen = new Set<string>();

  constructor(safeStorage: SafeStorageApi, filePath: string, logger: Logger = silentLogger) {
    this.#safeStorage = safeStorage;
    this.#filePath = filePath;
    this.#logger = logger;
  }

  /** False when the OS offers no key store, or on Linux when Chromium fell back to a hard-coded key. */
  get encrypted(): boolean {
    if (!this.#safeStorage.isEncryptionAvailable()) return false;
    // getSelectedStorageBackend exists only on Linux, where 'basic_text' means a fixed, public key.
    const backend = this.#safeStorage.getSelectedStorageBackend?.();
    return backend !== 'basic_text';
  }

  /** Every secret value this run has stored or read, so the logger can redact them. */
  secretValues(): Iterable<string> {
    return this.#seen;
  }

  async get(name: string): Promise<string | null> {
    await this.#queue;
    const encoded = (await this.#read()).entries[name];
    if (encoded === undefined) return null;
    try {
      const value = this.#safeStorage.decryptString(Buffer.from(encoded, 'base64'));
      this.#seen.add(value);
      return value;
    } catch (error) {
      // The OS key changed (a reset keyring, a copied profile): the secret is lost and the user signs in again.
      this.#logger.warn('a vault entry could not be decrypted', { name, error });
      return null;
    }
  }

  async set(name: string, value: string): Promise<void> {
    if (!this.#safeStorage.isEncryptionAvailable()) throw new Error(VAULT_UNAVAILABLE_MESSAGE);
    const encoded = this.#safeStorage.encryptString(value).toString('base64');
    this.#seen.add(value);
    await this.#update((entries) => {
      entries[name] = encoded;
    });
  }

  async delete(name: string): Promise<void> {
    await this.#update((entries) => {
      delete entries[name];
    });
  }

  #update(change: (entries: Record<string, string>) => void): Promise<void> {
    const next = this.#queue.then(async () => {
      const file = await this.#read();
      change(file.entries);
      await this.#write(file);
    });
    // A failed write must not poison every later one; the caller still sees this failure.
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #read(): Promise<VaultFile> {
    let text: string;
    try {
      text = await readFile(this.#filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: {} };
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    // Refuse rather than overwrite: the other entries in a damaged file may still be recoverable by hand.
    if (!isVaultFile(parsed)) throw new Error(`The secure storage file ${this.#filePath} is damaged.`);
    return { version: 1, entries: { ...parsed.entries } };
  }

  /** Atomic: a crash leaves the old file or the new one, never half of one. */
  async #write(file: VaultFile): Promise<void> {
    await mkdir(path.dirname(this.#filePath), { recursive: true });
    const temporary = `${this.#filePath}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(file), { mode: 0o600 });
      await rename(temporary, this.#filePath);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
