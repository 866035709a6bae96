import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/preview';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

/** Lints `code` as if it were the file at `filePath`, and returns the boundary rule's messages. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((message) => message.message);
}

describe('lint enforces the process boundaries of DESIGN §3', () => {
  it.each([
    ['renderer/src/features/x.ts', "import { createApp } from '../../../main/app';\nexport const x = createApp;\n"],
    ['renderer/src/x.ts', "import fs from 'node:fs';\nexport const x = fs;\n"],
    ['renderer/src/x.ts', "import path from 'path';\nexport const x = path;\n"],
    ['renderer/src/x.ts', "import Database from 'better-sqlite3';\nexport const x = Database;\n"],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
    ['renderer/src/x.ts', "import { methods } from '../../preload/contract';\nexport const x = methods;\n"],
    ['renderer/src/x.ts', "import '../../preload/web';\n"],
    ['main/store/x.ts', "import { app } from 'electron';\nexport const x = app;\n"],
    ['main/app2.ts', "import { App } from '../renderer/src/app/App';\nexport const x = App;\n"],
    ['preload/web.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
    ['preload/contract/x.ts', "import { createApp } from '../../main/app';\nexport const x = createApp;\n"],
    ['main/electron/x.ts', "import { App } from '../../renderer/src/app/App';\nexport const x = App;\n"],
  ])('catches %s importing what it must not', async (filePath, code) => {
    expect(await boundaryErrors(filePath, code)).toHaveLength(1);
  });

  it.each([
    ['renderer/src/x.ts', "import type { Draft } from '../../preload/contract';\nexport type X = Draft;\n"],
    ['renderer/src/x.ts', "import { create } from 'zustand';\nexport const x = create;\n"],
    ['main/electron/x.ts', "import { app } from 'electron';\nexport const x = app;\n"],
    ['preload/electron.ts', "import { contextBridge } from 'electron';\nexport const x = contextBridge;\n"],
    ['main/store/x.ts', "import { methods } from '../../preload/contract';\nexport const x = methods;\n"],
  ])('allows %s its own imports', async (filePath, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });
});
