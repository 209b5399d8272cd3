import { useCallback, useMemo, useState } from 'react';
import type { UiEvent, UiEventType, View } from './contract.ts';
import { sendEvent } from './rpc.ts';
import { ScreenFor } from './screens/index.tsx';
import { isStaffScreen } from './screens/staff-look.ts';
import { EntryEcho } from './shell/entry-echo.ts';
import { InactivityWarning } from './shell/InactivityWarning.tsx';
import { LiveRegion } from './shell/LiveRegion.tsx';
import { type ScreenApi, ScreenContext } from './shell/screen-context.ts';
import { useDocumentSettings } from './shell/use-document-settings.ts';
import { useHardwareKeys } from './shell/use-hardware-keys.ts';
import { useReachBand } from './shell/use-reach-band.ts';
import { useView } from './shell/use-view.ts';
import { Waiting } from './shell/Waiting.tsx';

export function App() {
  const view = useView();
  const echo = useMemo(() => new EntryEcho(), []);
  const [refused, setRefused] = useState(0);
  useDocumentSettings(view?.session);
  useReachBand(view?.session.layout.reach);
  const send = useCallback(
    (event: UiEvent) =>
      void sendEvent(event).then((reply) => {
        echo.answered();
        if (!reply.ok) setRefused((count) => count + 1);
      }),
    [echo],
  );
  const api = useMemo(() => {
    if (!view) return null;
    echo.seen(view);
    return screenApi(view, echo, send);
  }, [view, echo, send]);
  useHardwareKeys(api);
  if (!view || !api) return <Waiting />;
  return (
    <ScreenContext value={api}>
      <Shell view={view} refused={refused} />
    </ScreenContext>
  );
}

function screenApi(view: View, echo: EntryEcho, send: (event: UiEvent) => void): ScreenApi {
  const can = (type: UiEventType) => view.allowed.includes(type);
  const entered = typeof view.props.entered === 'number' ? view.props.entered : 0;
  return {
    view,
    can,
    send: (event) => {
      if (!can(event.type)) return;
      echo.sent(event, entered);
      send(event);
    },
    typed: () => echo.text(entered),
  };
}

function Shell({ view, refused }: { view: View; refused: number }) {
  const warning = view.session.warning;
  return (
    <div className={isStaffScreen(view.screen) ? 'app staff-mode' : 'app'}>
      <div className="app-body" inert={warning !== null}>
        <ScreenFor view={view} key={view.screen} />
      </div>
      {warning && <InactivityWarning warning={warning} />}
      <LiveRegion refused={refused} />
    </div>
  );
}
