import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UiEvent, UiEventType, View } from './contract.ts';
import { sendEvent } from './rpc.ts';
import { ScreenFor } from './screens/index.tsx';
import { isStaffScreen } from './screens/staff-look.ts';
import { DoorAlerts } from './shell/DoorAlerts.tsx';
import { InactivityWarning } from './shell/InactivityWarning.tsx';
import { LiveRegion } from './shell/LiveRegion.tsx';
import { type ScreenApi, ScreenContext } from './shell/screen-context.ts';
import { TopBar } from './shell/TopBar.tsx';
import { useDocumentSettings } from './shell/use-document-settings.ts';
import { useHardwareKeys } from './shell/use-hardware-keys.ts';
import { useView } from './shell/use-view.ts';
import { Waiting } from './shell/Waiting.tsx';

export function App() {
  const view = useView();
  const [refused, setRefused] = useState(0);
  useDocumentSettings(view?.session);
  const send = useCallback(
    (event: UiEvent) =>
      void sendEvent(event).then((reply) => {
        if (!reply.ok) setRefused((count) => count + 1);
      }),
    [],
  );
  const api = useMemo(() => (view ? screenApi(view, send) : null), [view, send]);
  useHardwareKeys(api);
  if (!view || !api) return <Waiting />;
  return (
    <ScreenContext value={api}>
      <Shell view={view} refused={refused} />
    </ScreenContext>
  );
}

function screenApi(view: View, send: (event: UiEvent) => void): ScreenApi {
  const can = (type: UiEventType) => view.allowed.includes(type);
  return { view, can, send: (event) => can(event.type) && send(event) };
}

function Shell({ view, refused }: { view: View; refused: number }) {
  const warning = view.session.warning;
  return (
    <div className={isStaffScreen(view.screen) ? 'app staff-mode' : 'app'}>
      <div className="app-body" inert={warning !== null}>
        <TopBar />
        <StaffBanner screen={view.screen} />
        <DoorAlerts alerts={view.session.doorAlerts} />
        <ScreenFor view={view} key={view.screen} />
      </div>
      {warning && <InactivityWarning warning={warning} />}
      <LiveRegion refused={refused} />
    </div>
  );
}

function StaffBanner({ screen }: { screen: string }) {
  const { t } = useTranslation();
  if (!isStaffScreen(screen)) return null;
  return (
    <div className="staff-banner">
      {screen.startsWith('courier.') ? t('common.courier-mode') : t('common.staff-mode')}
    </div>
  );
}
