import { Outlet } from 'react-router-dom';
import { SettingsModal } from '../settings/SettingsModal';
import { SettingsModalProvider } from '../settings/SettingsModalProvider';
import { Header } from './Header';

/** The frame of every signed-in page: header, page content, settings modal. */
export function AppLayout() {
  return (
    <SettingsModalProvider>
      <div className="app">
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Header />
        <main className="app-main" id="main" tabIndex={-1}>
          <Outlet />
        </main>
        <SettingsModal />
      </div>
    </SettingsModalProvider>
  );
}
