import type { IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { IPC_INVOKE_PREFIX, type Result, err, methodNames } from '../../preload/contract';
import { type Logger, silentLogger } from '../log';
import type { Dispatch } from '../rpc';

export type SenderCheck = (frame: WebFrameMain | null) => boolean;

/** The app's own top-level document: never a sub-frame, never a page that navigated elsewhere. */
export function isTrustedSenderFor(isAppUrl: (url: string) => boolean): SenderCheck {
  return (frame) => {
    if (frame === null || frame === undefined) return false;
    try {
      return frame.parent === null && isAppUrl(frame.url);
    } catch {
      // A destroyed frame throws on access: it cannot be trusted.
      return false;
    }
  };
}

/**
 * Registers one ipcMain handler per contract method. The sender is checked before the dispatcher sees the call, and
 * the dispatcher validates the input; nothing throws across the bridge. Returns the function that unregisters them.
 */
export function registerContractHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dispatch: Dispatch,
  isTrustedSender: SenderCheck,
  logger: Logger = silentLogger,
): () => void {
  const channels = methodNames.map((name) => {
    const channel = IPC_INVOKE_PREFIX + name;
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown): Promise<Result<unknown>> => {
      try {
        if (!isTrustedSender(event.senderFrame)) {
          logger.warn('refused an IPC call from an untrusted frame', { method: name });
          return err('forbidden_sender', `${name}: the caller is not the app's own window`);
        }
        return await dispatch(name, input);
      } catch (error) {
        // The dispatcher never throws; this guards the sender check and any future wrapper.
        logger.error('IPC handler failed', { method: name, error });
        return err('internal', `${name} failed; see the log`);
      }
    });
    return channel;
  });
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
