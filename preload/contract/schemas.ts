import { z } from 'zod';

/** LINE counts text length in UTF-16 code units, as JavaScript's `length` does. */
export const MAX_TEXT_LENGTH = 5000;

export const Language = z.enum(['zh-TW', 'en']);
export type Language = z.infer<typeof Language>;

/**
 * setup: no workspace chosen yet (first start); demo: the built-in demo workspace (a sandbox inside main, which works
 * offline too); connected: a real workspace; offline: a real workspace without network.
 */
export const AppMode = z.enum(['setup', 'demo', 'connected', 'offline']);
export type AppMode = z.infer<typeof AppMode>;

export const Transport = z.enum(['electron', 'preview']);
export type Transport = z.infer<typeof Transport>;

/** Methods that take no arguments still take an empty object, so every payload is checked the same way. */
export const NoInput = z.object({}).strict();

export const Id = z.uuid();

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  mode: AppMode,
  online: z.boolean(),
  dataDir: z.string(),
  transport: Transport,
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** Non-secret settings only: secrets live in main's vault and never cross the bridge. */
export const Settings = z.object({
  language: Language,
});
export type Settings = z.infer<typeof Settings>;

export const SettingsPatch = Settings.partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const DraftText = z.string().max(MAX_TEXT_LENGTH);

export const Draft = z.object({
  id: Id,
  text: DraftText,
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Draft = z.infer<typeof Draft>;

export const DraftSummary = z.object({
  id: Id,
  /** The first non-empty line of the text, trimmed to 80 characters. */
  title: z.string(),
  length: z.number().int().nonnegative(),
  updatedAt: z.number().int(),
});
export type DraftSummary = z.infer<typeof DraftSummary>;

export const DraftSaveInput = z
  .object({
    /** Absent: a new draft. Present: that draft is updated (not_found if it was deleted). */
    id: Id.optional(),
    text: DraftText,
  })
  .strict();
export type DraftSaveInput = z.infer<typeof DraftSaveInput>;

export const DraftRef = z.object({ id: Id }).strict();

export const Deleted = z.object({ deleted: z.boolean() });

export const WorkspaceKind = z.enum(['none', 'demo', 'remote']);
export type WorkspaceKind = z.infer<typeof WorkspaceKind>;

export const Role = z.enum(['sales_manager', 'sales_person', 'admin', 'agent']);
export type Role = z.infer<typeof Role>;

export const Plan = z.enum(['omo', 'standard']);
export type Plan = z.infer<typeof Plan>;

/** A login of the demo workspace (password "demo"), listed so a new user can try each role. */
export const DemoAccount = z.object({
  account: z.string(),
  name: z.string(),
  role: Role,
  plan: Plan,
  store: z.string().nullable(),
});
export type DemoAccount = z.infer<typeof DemoAccount>;

export const WorkspaceInfo = z.object({
  kind: WorkspaceKind,
  /** The Inbox API's base URL: the embedded sandbox's loopback origin in the demo. */
  inboxUrl: z.string().nullable(),
  /** The demo's sandbox is starting (it takes a moment on first use). */
  starting: z.boolean(),
  demoAccounts: z.array(DemoAccount),
});
export type WorkspaceInfo = z.infer<typeof WorkspaceInfo>;

export const AppStatus = z.object({
  mode: AppMode,
  online: z.boolean(),
});
export type AppStatus = z.infer<typeof AppStatus>;
