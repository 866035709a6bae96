import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SafeStorageVault, VAULT_UNAVAILABLE_MESSAGE } from '../../../main/electron/vault';
import { createFakeElectron } from './fake-electron';

const SECRET = 'line-channel-token-Zq8xA1f';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'omo-vault-'));
  file = path.join(dir, 'nested', 'vault.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function vaultWith(setup: (storage: ReturnType<typeof createFakeElectron>['safeStorage']) => void = () => {}) {
  const { safeStorage } = createFakeElectron();
  setup(safeStorage);
  return { vault: new SafeStorageVault(safeStorage, file), safeStorage };
}

describe('SafeStorageVault', () => {
  it('round-trips values, across instances, and deletes them', async () => {
    const { vault, safeStorage } = vaultWith();
    await vault.set('line.token', SECRET);
    await vault.set('wa.token', 'другой-секрет-🔑');
    expect(await vault.get('line.token')).toBe(SECRET);

    const reopened = new SafeStorageVault(safeStorage, file);
    expect(await reopened.get('wa.token')).toBe('другой-секрет-🔑');
    await reopened.delete('line.token');
    expect(await reopened.get('line.token')).toBeNull();
    expect(await reopened.get('never.set')).toBeNull();
  });

  it('never writes the plain value, only safeStorage ciphertext in base64', async () => {
    const { vault } = vaultWith();
    await vault.set('line.token', SECRET);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(Buffer.from(text, 'utf8').includes(Buffer.from(SECRET))).toBe(false);
    const stored = (JSON.parse(text) as { entries: Record<string, string> }).entries['line.token'];
    expect(stored).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('writes the file readable by the user only and leaves no temporary files', async () => {
    const { vault } = vaultWith();
    await vault.set('a', '1');
    await vault.set('b', '2');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(['vault.json']);
  });

  it('keeps every entry when several are set at once', async () => {
    const { vault } = vaultWith();
    await Promise.all(Array.from({ length: 20 }, (_, index) => vault.set(`k${index}`, `v${index}`)));
    for (let index = 0; index < 20; index += 1) expect(await vault.get(`k${index}`)).toBe(`v${index}`);
  });

  it('refuses to store anything when the OS offers no encryption, with a clear message', async () => {
    const { vault, safeStorage } = vaultWith((storage) => {
      storage.available = false;
    });
    await expect(vault.set('line.token', SECRET)).rejects.toThrow(VAULT_UNAVAILABLE_MESSAGE);
    expect(VAULT_UNAVAILABLE_MESSAGE).toMatch(/^Secure storage is not available on this system/);
    expect(safeStorage.encryptString).not.toHaveBeenCalled();
    expect(() => readFileSync(file)).toThrow();
    expect(vault.encrypted).toBe(false);
  });

  it('reports encrypted only with a real OS key store (not Linux basic_text)', () => {
    expect(vaultWith().vault.encrypted).toBe(true);
    expect(vaultWith((storage) => (storage.backend = 'basic_text')).vault.encrypted).toBe(false);
    // macOS and Windows have no getSelectedStorageBackend at all.
    const { safeStorage } = createFakeElectron();
    const { getSelectedStorageBackend: _linuxOnly, ...withoutBackend } = safeStorage;
    expect(new SafeStorageVault(withoutBackend, file).encrypted).toBe(true);
  });

  it('answers null for an entry the OS can no longer decrypt', async () => {
    const { vault } = vaultWith();
    await vault.set('line.token', SECRET);
    const damaged = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, string> };
    damaged.entries['line.token'] = Buffer.from('garbage').toString('base64');
    writeFileSync(file, JSON.stringify(damaged));
    expect(await vault.get('line.token')).toBeNull();
  });

  it('refuses to overwrite a damaged file', async () => {
    const { vault } = vaultWith();
    await vault.set('a', '1');
    writeFileSync(file, '{not json');
    await expect(vault.set('b', '2')).rejects.toThrow(/damaged/);
    expect(readFileSync(file, 'utf8')).toBe('{not json');
  });

  it('lists the secrets it has seen, for the log redactor', async () => {
    const { vault } = vaultWith();
    await vault.set('line.token', SECRET);
    expect([...vault.secretValues()]).toEqual([SECRET]);
  });
});
