import { z } from 'zod';
import {
  AppInfo,
  AppStatus,
  Deleted,
  Draft,
  DraftRef,
  DraftSaveInput,
  DraftSummary,
  NoInput,
  Settings,
  SettingsPatch,
  WorkspaceInfo,
} from './schemas';

/**
 * Every method of the bridge, declared once: main implements them, both transports carry them, the renderer calls
 * them. Each takes exactly one input object and resolves to a Result of its output.
 */
export const methods = {
  'app.info': { input: NoInput, output: AppInfo },
  'settings.get': { input: NoInput, output: Settings },
  'settings.set': { input: SettingsPatch, output: Settings },
  'drafts.list': { input: NoInput, output: z.array(DraftSummary) },
  'drafts.get': { input: DraftRef, output: Draft },
  'drafts.save': { input: DraftSaveInput, output: Draft },
  'drafts.delete': { input: DraftRef, output: Deleted },
  'workspace.get': { input: NoInput, output: WorkspaceInfo },
  /** Chooses the demo workspace: starts the sandbox inside main and points every client at it. */
  'workspace.useDemo': { input: NoInput, output: WorkspaceInfo },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

/** Push events from main to the renderer. */
export const events = {
  /** The mode or the network changed. */
  'app.status': AppStatus,
  /** Settings changed (possibly from another window or transport). */
  'settings.changed': Settings,
  /** The workspace changed (chosen, started). */
  'workspace.changed': WorkspaceInfo,
  /** The drafts list changed. */
  'drafts.changed': z.object({ ids: z.array(z.string()) }),
} as const satisfies Record<string, z.ZodType>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
