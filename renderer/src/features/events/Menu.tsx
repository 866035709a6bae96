import { useEffect, useRef, type ReactNode } from 'react';

/** Closes a popover on a click outside it or on Escape (focus goes back to its button). */
export function usePopover(open: boolean, close: () => void) {
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) close();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open, close]);
  return root;
}

export function Popover({ children, align = 'left', label, role }: { children: ReactNode; align?: 'left' | 'right'; label: string; role?: string }) {
  return (
    <div className={`popover popover--${align}`} role={role} aria-label={label}>
      {children}
    </div>
  );
}
