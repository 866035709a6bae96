import type { ReactNode } from 'react';

/**
 * The window: navigation rail on the left, the section in the middle, the status bar along the bottom. Without a
 * rail (the first-start welcome) the middle takes the whole width.
 */
export function Layout({ rail, statusBar, children }: { rail?: ReactNode; statusBar: ReactNode; children: ReactNode }) {
  return (
    <div className={rail ? 'shell' : 'shell shell--bare'} data-testid="app-ready">
      {rail}
      <main className="shell__main">{children}</main>
      {statusBar}
    </div>
  );
}
