import { useAuth, useLogout } from '../../hooks/useAuth';
import { ErrorMessage } from '../ui/ErrorMessage';

/** Settings → Account: who is signed in, and signing out. */
export function AccountSection() {
  const { user } = useAuth();
  const logout = useLogout();
  if (!user) return null;
  return (
    <section className="settings-section">
      <dl className="info-tab__facts">
        <dt>Username</dt>
        <dd>{user.username}</dd>
        <dt>Role</dt>
        <dd>{user.role}</dd>
        <dt>User id</dt>
        <dd>{user.id}</dd>
      </dl>
      {logout.error != null && <ErrorMessage error={logout.error} />}
      <button
        type="button"
        className="button"
        disabled={logout.isPending}
        onClick={() => logout.mutate()}
      >
        Sign out
      </button>
    </section>
  );
}
