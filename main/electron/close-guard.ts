import type { BrowserWindow, Dialog } from 'electron';
import type { Language } from '../../preload/contract';

/** What the user chose when closing the window while a broadcast is sending. */
export type CloseChoice = 'background' | 'quit' | 'stay';

const TEXT = {
  'zh-TW': {
    title: '群發訊息仍在傳送中',
    message: (count: number) => (count === 1 ? '有 1 則群發訊息正在傳送。' : `有 ${count} 則群發訊息正在傳送。`),
    detail: '在背景繼續：視窗關閉，OMO Broadcast 繼續傳送，完成後自動結束。\n結束：停止傳送，下次開啟 OMO Broadcast 時從中斷處繼續，不會重複發送。',
    buttons: ['在背景繼續傳送', '結束，下次開啟時繼續', '取消'],
  },
  en: {
    title: 'A broadcast is still sending',
    message: (count: number) => (count === 1 ? 'A broadcast is sending.' : `${count} broadcasts are sending.`),
    detail:
      'Keep sending in the background: the window closes, OMO Broadcast keeps sending and quits when done.\nQuit: sending stops and carries on where it left off the next time you open OMO Broadcast; nobody gets it twice.',
    buttons: ['Keep sending in the background', 'Quit, carry on next time', 'Cancel'],
  },
} as const;

/**
 * Asks before the window closes mid-send (issue 6): the send runs in main, so closing the window need not stop it.
 * Synchronous, because Electron's 'close' event must be prevented before the handler returns.
 */
export function askBeforeClosing(
  dialog: Pick<Dialog, 'showMessageBoxSync'>,
  window: BrowserWindow,
  language: Language,
  sending: number,
): CloseChoice {
  const text = TEXT[language];
  const choice = dialog.showMessageBoxSync(window, {
    type: 'question',
    title: text.title,
    message: text.message(sending),
    detail: text.detail,
    buttons: [...text.buttons],
    defaultId: 0,
    cancelId: 2,
    noLink: true,
  });
  return choice === 0 ? 'background' : choice === 1 ? 'quit' : 'stay';
}
