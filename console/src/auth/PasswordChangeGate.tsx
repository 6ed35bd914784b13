import type { ReactNode } from 'react';
import { Navigate } from 'react-router-dom';
import { CHANGE_PASSWORD_PATH } from './authProvider';
import { session } from './session';

/** Pages render only for a session that has no password change owing; otherwise the change comes first. */
export function PasswordChangeGate({ children }: { children: ReactNode }) {
  if (session.identity()?.mustChangePassword) return <Navigate to={CHANGE_PASSWORD_PATH} replace />;
  return <>{children}</>;
}
