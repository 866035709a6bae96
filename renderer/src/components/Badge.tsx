import type { HTMLAttributes, ReactNode } from 'react';

export type BadgeTone = 'accent' | 'warning' | 'neutral' | 'danger';

export function Badge({
  tone = 'neutral',
  children,
  className,
  ...rest
}: { tone?: BadgeTone; children: ReactNode } & HTMLAttributes<HTMLSpanElement>) {
  return (
    <span className={`badge badge--${tone}${className ? ` ${className}` : ''}`} {...rest}>
      {children}
    </span>
  );
}
