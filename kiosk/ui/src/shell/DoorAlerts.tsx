import { useTranslation } from 'react-i18next';
import type { View } from '../contract.ts';

/** Doors standing open that should not: every screen says so, until they are shut. */
export function DoorAlerts({ alerts }: { alerts: View['session']['doorAlerts'] }) {
  const { t } = useTranslation();
  if (alerts.length === 0) return null;
  return (
    <ul className="door-alerts" data-testid="door-alerts">
      {alerts.map((alert) => (
        <li key={alert.compartment} className="door-alert" role="alert">
          <span aria-hidden="true">⚠ </span>
          {t(`door-alert.${alert.kind}`, { compartment: alert.compartment })}
        </li>
      ))}
    </ul>
  );
}
