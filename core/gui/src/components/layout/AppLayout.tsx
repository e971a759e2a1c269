import { Outlet } from 'react-router-dom';
import { SettingsModal } from '../settings/SettingsModal';
import { SettingsModalProvider } from '../settings/SettingsModalProvider';
import { Header } from './Header';

/** The frame of every signed-in page: header, page content, settings modal. */
export function AppLayout() {
  return (
    <SettingsModalProvider>
      <div className="app">
        <Header />
        <main className="app-main">
          <Outlet />
        </main>
        <SettingsModal />
      </div>
    </SettingsModalProvider>
  );
}
