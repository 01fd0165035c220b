import type { ReactNode } from 'react';

export type NoticeTone = 'loading' | 'empty' | 'error' | 'offline' | 'info';

/**
 * Every state the dashboard can be in, said in plain words. Errors are
 * announced to screen readers at once (alert); the rest politely (status).
 */
export function Notice({
  tone,
  title,
  children,
  action,
}: {
  tone: NoticeTone;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  const urgent = tone === 'error' || tone === 'offline';
  return (
    <div className={`notice notice-${tone}`} role={urgent ? 'alert' : 'status'} data-testid={`notice-${tone}`}>
      {tone === 'loading' ? <span className="spinner" aria-hidden="true" /> : null}
      <div>
        <p className="notice-title">{title}</p>
        {children ? <div className="notice-detail">{children}</div> : null}
        {action ? <div className="notice-action">{action}</div> : null}
      </div>
    </div>
  );
}
