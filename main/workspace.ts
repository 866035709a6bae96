import type { DemoAccount, WorkspaceInfo, WorkspaceKind } from '../preload/contract';
import type { Logger } from './log';
import { AppFailure } from './rpc';
import { FEATURED_DEMO_ACCOUNTS } from './sandbox/seed';
import type { Sandbox, SandboxOptions } from './sandbox/server';
import type { Database } from './store/db';
import { getSetting, setSettings } from './store/settings';

const WORKSPACE_KIND_KEY = 'workspace.kind';
/** The Inbox URL of a remote workspace (normalised by validateInboxUrl); not a secret. */
const WORKSPACE_INBOX_URL_KEY = 'workspace.inboxUrl';
/** The demo is the same world on every start: the same customers, events and templates. */
export const DEMO_SEED = 20261130;

export type StartSandbox = (options: SandboxOptions) => Promise<Sandbox>;

export interface WorkspaceManager {
  info(): WorkspaceInfo;
  kind(): WorkspaceKind;
  /** Chooses the demo and starts its sandbox (idempotent). */
  useDemo(): Promise<WorkspaceInfo>;
  /**
   * Chooses a remote workspace at `inboxUrl` (already validated): saves the choice and the URL, and stops a running
   * demo sandbox. Called by sign-in only once the workspace has accepted the login.
   */
  useRemote(inboxUrl: string): Promise<WorkspaceInfo>;
  /** The running demo sandbox's origin, or null when the demo is not running (or not the choice). */
  demoOrigin(): string | null;
  /** Starts what the saved choice needs (the demo's sandbox); called once at start-up. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

function demoAccounts(sandbox: Sandbox): DemoAccount[] {
  const { world } = sandbox.context;
  return FEATURED_DEMO_ACCOUNTS.flatMap((account) => world.users.filter((user) => user.account === account)).map(
    (user) => ({
      account: user.account,
      name: user.name,
      role: user.role,
      plan: world.workspaces.find((workspace) => workspace.id === user.workspaceId)?.plan ?? 'standard',
      store: world.stores.find((store) => store.id === user.storeId)?.name ?? null,
    }),
  );
}

/**
 * Which workspace the app works with: none yet (first start), the demo (a sandbox started inside main on a free
 * loopback port, so a new user sees a working app with no account), or a remote one (chosen by signing in to it).
 */
export function createWorkspaceManager(deps: {
  db: Database;
  logger: Logger;
  startSandbox: StartSandbox;
  onChange: (info: WorkspaceInfo) => void;
  /** How many events the demo holds (default: the sandbox's 1,200); benchmarks ask for hundreds of thousands. */
  demoEvents?: number;
}): WorkspaceManager {
  let sandbox: Sandbox | null = null;
  let starting: Promise<Sandbox> | null = null;
  let closed = false;
  /** Bumped when a remote workspace is chosen, so a demo start that lands afterwards is closed, not used. */
  let generation = 0;

  const kind = (): WorkspaceKind => {
    const stored = getSetting(deps.db, WORKSPACE_KIND_KEY);
    return stored === 'demo' || stored === 'remote' ? stored : 'none';
  };

  const remoteUrl = (): string | null => getSetting(deps.db, WORKSPACE_INBOX_URL_KEY) ?? null;

  const info = (): WorkspaceInfo => ({
    kind: kind(),
    inboxUrl: kind() === 'remote' ? remoteUrl() : (sandbox?.origin ?? null),
    starting: starting !== null && sandbox === null,
    demoAccounts: sandbox ? demoAccounts(sandbox) : [],
  });

  const startDemo = async (): Promise<Sandbox> => {
    if (sandbox) return sandbox;
    const startedIn = generation;
    starting ??= deps.startSandbox({
      seed: DEMO_SEED,
      logger: deps.logger,
      ...(deps.demoEvents === undefined ? {} : { events: deps.demoEvents }),
    }).then(
      (started) => {
        if (closed || startedIn !== generation) {
          void started.close();
          throw new AppFailure('demo_unavailable', closed ? 'The app is closing' : 'A remote workspace was chosen');
        }
        sandbox = started;
        deps.logger.info('demo workspace started', { origin: started.origin });
        deps.onChange(info());
        return started;
      },
      (error: unknown) => {
        starting = null;
        deps.logger.error('demo workspace failed to start', { error });
        throw new AppFailure('demo_unavailable', 'The demo workspace could not start; see the log');
      },
    );
    deps.onChange(info());
    return starting;
  };

  return {
    info,
    kind,
    async useDemo() {
      await startDemo();
      // Saved only once the sandbox runs: a demo that failed to start must not become the choice of the next start.
      if (kind() !== 'demo') {
        setSettings(deps.db, [[WORKSPACE_KIND_KEY, 'demo']]);
        deps.onChange(info());
      }
      return info();
    },
    async useRemote(inboxUrl) {
      setSettings(deps.db, [
        [WORKSPACE_KIND_KEY, 'remote'],
        [WORKSPACE_INBOX_URL_KEY, inboxUrl],
      ]);
      // The demo's sandbox serves nobody once a real workspace is chosen; a start under way is dropped when it lands.
      const running = sandbox;
      sandbox = null;
      starting = null;
      generation += 1;
      if (running) {
        await running.close();
        deps.logger.info('demo workspace stopped', { reason: 'remote workspace chosen' });
      }
      deps.onChange(info());
      return info();
    },
    demoOrigin() {
      return kind() === 'demo' ? (sandbox?.origin ?? null) : null;
    },
    async resume() {
      if (kind() === 'demo') await startDemo();
    },
    async close() {
      closed = true;
      const running = sandbox;
      sandbox = null;
      await running?.close();
    },
  };
}
