import { useTranslation } from 'react-i18next';
import { useScreen } from '../../shell/screen-context.ts';

const ICONS: Record<string, string> = {
  'document-pickup': '✉',
  'parcel-pickup': '▣',
  'drop-off': '⇩',
  'courier-deposit': '⇨',
};

/** A service's name, or "another service" for one this page has no words for. */
function useServiceName() {
  const { t, i18n } = useTranslation();
  const known = (service: string) => i18n.exists(`menu.service.${service}.name`);
  const name = (service: string) =>
    known(service) ? t(`menu.service.${service}.name`) : t('menu.service-unknown');
  return { known, name };
}

/** The citizens' services, one big button each, at once on the start screen. */
export function ServiceChoices({ services }: { services: readonly string[] }) {
  const { t } = useTranslation();
  const { send } = useScreen();
  const { known, name } = useServiceName();
  return (
    <div className="choices services">
      {services.map((service) => (
        <button
          key={service}
          type="button"
          className="choice service"
          data-testid={`service-${service}`}
          onClick={() => send({ type: 'CHOOSE', service })}
        >
          <span aria-hidden="true" className="choice-icon flip-rtl">
            {ICONS[service] ?? '▶'}
          </span>
          <span className="choice-name">{name(service)}</span>
          {known(service) && (
            <span className="choice-description">{t(`menu.service.${service}.description`)}</span>
          )}
        </button>
      ))}
    </div>
  );
}

/**
 * The couriers' services: plain buttons, smaller than the citizens' tiles, each named with
 * whom it is for ("Zustelldienste: Paket einlegen"), so no citizen takes one for theirs.
 */
export function CourierChoices({ services }: { services: readonly string[] }) {
  const { send } = useScreen();
  const { name } = useServiceName();
  return services.map((service) => (
    <button
      key={service}
      type="button"
      className="secondary courier-service"
      data-testid={`service-${service}`}
      onClick={() => send({ type: 'CHOOSE', service })}
    >
      <span aria-hidden="true" className="icon flip-rtl">
        {ICONS[service] ?? '▶'}
      </span>{' '}
      {name(service)}
    </button>
  ));
}
