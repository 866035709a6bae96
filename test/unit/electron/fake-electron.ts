/**
 * A fake of the parts of `electron` the shell uses, so main/electron and preload/electron.ts run in plain Node
 * (the Electron binary cannot be downloaded on the build machines). Each call makes a fresh, independent fake.
 * It records what the code under test did and lets tests fire what Electron would fire.
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import type { SafeStorage } from 'electron';
import { vi } from 'vitest';
import type { ElectronApi } from '../../../main/electron/start';

/** The event object Electron passes to cancellable listeners. */
export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** A WebFrameMain as the IPC sender check sees it. */
export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export function fakeFrame(url: string, parent: FakeFrame | null = null): FakeFrame {
  return { url, parent };
}

type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: WindowOpenHandler | null = null;
  readonly sent: unknown[][] = [];
  url = '';
  destroyed = false;

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Fires a cancellable navigation event the way Electron does; returns whether it was prevented. */
  navigate(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string): boolean {
    const navigation = new FakeEvent(url);
    this.emit(event, navigation, url);
    return navigation.defaultPrevented;
  }
}

type Listener = (...args: unknown[]) => void;
type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
type BeforeRequestListener = (details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void;
type HeadersReceivedListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
) => void;

/** safeStorage's fake cipher: reversible, and never the plain bytes (so a test can prove nothing is stored in clear). */
const CIPHER_MAGIC = 'FAKE-OS-CIPHER:';
function scramble(bytes: Buffer): Buffer {
  return Buffer.from(bytes.map((byte) => byte ^ 0xa5));
}

interface WindowWorld {
  app: EventEmitter;
  windows: FakeBrowserWindow[];
  created: FakeBrowserWindow[];
  /** The button index dialog.showMessageBoxSync answers. */
  dialogAnswer: number;
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  readonly show = vi.fn(() => {
    this.visible = true;
  });
  readonly hide = vi.fn(() => {
    this.visible = false;
  });
  readonly focus = vi.fn();
  readonly restore = vi.fn(() => {
    this.minimized = false;
  });
  readonly loadFile = vi.fn(async (file: string) => {
    this.webContents.url = pathToFileURL(file).href;
  });
  readonly loadURL = vi.fn(async (url: string) => {
    this.webContents.url = url;
  });
  visible = false;
  minimized = false;
  destroyed = false;
  readonly #world: WindowWorld;

  constructor(
    readonly options: Record<string, unknown>,
    world: WindowWorld,
  ) {
    super();
    this.#world = world;
    world.windows.push(this);
    world.created.push(this);
    // Electron announces every new webContents on the app, before anyone else can use it.
    world.app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }

  isMinimized(): boolean {
    return this.minimized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** The user closes the window: 'close' may be prevented; otherwise 'closed' and maybe 'window-all-closed'. */
  close(): boolean {
    const closing = new FakeEvent();
    this.emit('close', closing);
    if (closing.defaultPrevented) return false;
    this.destroyed = true;
    this.webContents.destroyed = true;
    const { windows } = this.#world;
    windows.splice(windows.indexOf(this), 1);
    this.emit('closed');
    if (windows.length === 0) this.#world.app.emit('window-all-closed');
    return true;
  }
}

/** BrowserWindow as the shell uses it: a constructor plus the static window list. */
export interface FakeBrowserWindowClass {
  new (options: Record<string, unknown>): FakeBrowserWindow;
  readonly created: FakeBrowserWindow[];
  getAllWindows(): FakeBrowserWindow[];
}

export function createFakeElectron(options: { userData?: string; packaged?: boolean; lock?: boolean } = {}) {
  let resolveReady: () => void = () => {};
  let ready = false;
  const readyPromise = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  const app = Object.assign(new EventEmitter(), {
    isPackaged: options.packaged ?? false,
    requestSingleInstanceLock: vi.fn(() => options.lock ?? true),
    setAppUserModelId: vi.fn(),
    enableSandbox: vi.fn(),
    getPath: vi.fn((name: string) => {
      if (name !== 'userData') throw new Error(`fake app.getPath: ${name} is not faked`);
      return options.userData ?? '/fake/user-data';
    }),
    getVersion: vi.fn(() => '0.1.0-test'),
    whenReady: vi.fn(() => readyPromise),
    quitting: false,
    /** Like Electron: 'before-quit' then 'will-quit' then 'quit'; a second call while quitting does nothing. */
    quit: vi.fn(() => {
      if (app.quitting) return;
      app.quitting = true;
      app.emit('before-quit', new FakeEvent());
      app.emit('will-quit', new FakeEvent());
      app.emit('quit', new FakeEvent(), 0);
    }),
  });

  const world: WindowWorld = { app, windows: [], created: [], dialogAnswer: 0 };
  class BoundBrowserWindow extends FakeBrowserWindow {
    static readonly created = world.created;
    static getAllWindows(): FakeBrowserWindow[] {
      return [...world.windows];
    }
    constructor(options: Record<string, unknown>) {
      super(options, world);
    }
  }
  const BrowserWindow: FakeBrowserWindowClass = BoundBrowserWindow;

  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const ipcMain = {
    handlers,
    handle: vi.fn((channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => {
      // Electron refuses a second handler on one channel; so does the fake, to catch double registration.
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, handler);
    }),
    removeHandler: vi.fn((channel: string) => {
      handlers.delete(channel);
    }),
    /** What ipcRenderer.invoke from `senderFrame` would get back. */
    async invoke(channel: string, senderFrame: FakeFrame | null, input: unknown): Promise<unknown> {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return handler({ senderFrame }, input);
    },
  };

  const defaultSession = {
    permissionRequestHandler: null as PermissionRequestHandler | null,
    permissionCheckHandler: null as ((...args: unknown[]) => boolean) | null,
    devicePermissionHandler: null as ((...args: unknown[]) => boolean) | null,
    beforeRequest: null as BeforeRequestListener | null,
    headersReceived: null as HeadersReceivedListener | null,
    setPermissionRequestHandler: vi.fn((handler: PermissionRequestHandler) => {
      defaultSession.permissionRequestHandler = handler;
    }),
    setPermissionCheckHandler: vi.fn((handler: (...args: unknown[]) => boolean) => {
      defaultSession.permissionCheckHandler = handler;
    }),
    setDevicePermissionHandler: vi.fn((handler: (...args: unknown[]) => boolean) => {
      defaultSession.devicePermissionHandler = handler;
    }),
    webRequest: {
      onBeforeRequest: vi.fn((listener: BeforeRequestListener) => {
        defaultSession.beforeRequest = listener;
      }),
      onHeadersReceived: vi.fn((listener: HeadersReceivedListener) => {
        defaultSession.headersReceived = listener;
      }),
    },
    /** Whether the session lets the renderer request `url`. */
    isRequestAllowed(url: string): boolean {
      let cancel: boolean | undefined;
      defaultSession.beforeRequest?.({ url }, (response) => {
        cancel = response.cancel;
      });
      if (cancel === undefined) throw new Error('onBeforeRequest did not answer');
      return !cancel;
    },
    /** The response headers the renderer would see. */
    headersFor(url: string, responseHeaders: Record<string, string[]> = {}): Record<string, string[]> | undefined {
      let answer: { responseHeaders?: Record<string, string[]> } | undefined;
      defaultSession.headersReceived?.({ url, responseHeaders }, (response) => {
        answer = response;
      });
      if (answer === undefined) throw new Error('onHeadersReceived did not answer');
      return answer.responseHeaders;
    },
  };

  const safeStorage = {
    available: true,
    backend: 'gnome_libsecret' as ReturnType<SafeStorage['getSelectedStorageBackend']>,
    isEncryptionAvailable: vi.fn(() => safeStorage.available),
    encryptString: vi.fn((plain: string) => {
      if (!safeStorage.available) throw new Error('Encryption is not available.');
      return Buffer.concat([Buffer.from(CIPHER_MAGIC), scramble(Buffer.from(plain, 'utf8'))]);
    }),
    decryptString: vi.fn((encrypted: Buffer) => {
      if (!safeStorage.available) throw new Error('Decryption is not available.');
      const magic = encrypted.subarray(0, CIPHER_MAGIC.length).toString();
      if (magic !== CIPHER_MAGIC) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return scramble(encrypted.subarray(CIPHER_MAGIC.length)).toString('utf8');
    }),
    getSelectedStorageBackend: vi.fn(() => safeStorage.backend),
  };

  const net = { online: true, isOnline: vi.fn(() => net.online) };

  type ProtocolHandler = (request: Request) => Response | Promise<Response>;
  const protocol = {
    privileged: [] as Array<{ scheme: string; privileges?: Record<string, boolean> }>,
    handlers: new Map<string, ProtocolHandler>(),
    registerSchemesAsPrivileged: vi.fn((schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>) => {
      // Electron allows it only before ready, and only once: the fake throws so a test catches either mistake.
      if (ready) throw new Error('registerSchemesAsPrivileged must be called before the app is ready');
      if (protocol.privileged.length > 0) throw new Error('registerSchemesAsPrivileged can be called only once');
      protocol.privileged.push(...schemes);
    }),
    handle: vi.fn((scheme: string, handler: ProtocolHandler) => {
      if (!ready) throw new Error('protocol.handle must be called after the app is ready');
      if (protocol.handlers.has(scheme)) throw new Error(`The scheme '${scheme}' is already handled`);
      protocol.handlers.set(scheme, handler);
    }),
    unhandle: vi.fn((scheme: string) => {
      protocol.handlers.delete(scheme);
    }),
    /** What the renderer would get for `url` (as an <img> would request it). */
    async request(url: string, method = 'GET'): Promise<Response> {
      const scheme = url.slice(0, url.indexOf(':'));
      const handler = protocol.handlers.get(scheme);
      if (!handler) throw new Error(`No handler for the scheme '${scheme}'`);
      return handler(new Request(url, { method }));
    },
  };

  const exposed: Record<string, unknown> = {};
  const rendererListeners = new Map<string, Listener[]>();
  const ipcRenderer = {
    on: vi.fn((channel: string, listener: Listener) => {
      rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), listener]);
      return ipcRenderer;
    }),
    invoke: vi.fn(async (_channel: string, _input: unknown): Promise<unknown> => ({ ok: true, value: null })),
    /** main's webContents.send, as the preload receives it (an IpcRendererEvent first). */
    deliver(channel: string, ...args: unknown[]): void {
      const event = { sender: ipcRenderer, senderId: 0, ports: [] };
      for (const listener of rendererListeners.get(channel) ?? []) listener(event, ...args);
    },
    listenerCount(channel: string): number {
      return rendererListeners.get(channel)?.length ?? 0;
    },
  };

  return {
    /** Sets the button dialog.showMessageBoxSync answers with. */
    answerDialogWith(index: number): void {
      world.dialogAnswer = index;
    },
    app,
    /** Resolves app.whenReady() and emits 'ready', as Electron does once it has started. */
    fireReady(): void {
      ready = true;
      resolveReady();
      app.emit('ready', new FakeEvent(), {});
    },
    BrowserWindow,
    ipcMain,
    session: { defaultSession },
    shell: { openExternal: vi.fn(async (_url: string) => {}) },
    safeStorage,
    net,
    protocol,
    dialog: {
      showErrorBox: vi.fn((_title: string, _content: string) => {}),
      /** The button the "user" clicks; tests set `dialogAnswer`. */
      showMessageBoxSync: vi.fn((_window: unknown, _options: { buttons?: string[] }) => world.dialogAnswer),
    },
    contextBridge: {
      exposed,
      exposeInMainWorld: vi.fn((key: string, api: unknown) => {
        exposed[key] = api;
      }),
    },
    ipcRenderer,
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;

/** The fake, typed as what startElectronApp takes: the fake covers exactly the members the shell touches. */
export function asElectron(fake: FakeElectron): ElectronApi {
  return fake as unknown as ElectronApi;
}
