import { AudioLines, LogOut, Settings } from 'lucide-react';
import { Link } from 'react-router-dom';
import { useAuth, useLogout } from '../../hooks/useAuth';
import { useSettingsModal } from '../../hooks/useSettingsModal';

/** The top bar: app name, the signed-in user, Settings and Sign out. */
export function Header() {
  const { user } = useAuth();
  const logout = useLogout();
  const settings = useSettingsModal();
  return (
    <header className="app-header">
      <Link to="/" className="app-header__brand">
        <AudioLines aria-hidden size={22} />
        <span>Chorus</span>
      </Link>
      {user && (
        <nav className="app-header__actions" aria-label="Account">
          <span className="app-header__user" data-testid="signed-in-user">
            <span className="avatar" aria-hidden>
              {user.username.slice(0, 1).toUpperCase()}
            </span>
            {user.username}
            {user.role === 'admin' && <span className="badge">admin</span>}
          </span>
          <button type="button" className="button button--ghost" onClick={() => settings.open()}>
            <Settings aria-hidden size={18} />
            Settings
          </button>
          <button
            type="button"
            className="button button--ghost"
            onClick={() => logout.mutate()}
            disabled={logout.isPending}
          >
            <LogOut aria-hidden size={18} />
            Sign out
          </button>
        </nav>
      )}
    </header>
  );
}
