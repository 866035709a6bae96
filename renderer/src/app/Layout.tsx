import type { ReactNode } from 'react';

/** The window: navigation rail on the left, the section in the middle, the status bar along the bottom. */
export function Layout({ rail, statusBar, children }: { rail: ReactNode; statusBar: ReactNode; children: ReactNode }) {
  return (
    <div className="shell" data-testid="app-ready">
      {rail}
      <main className="shell__main">{children}</main>
      {statusBar}
    </div>
  );
}
