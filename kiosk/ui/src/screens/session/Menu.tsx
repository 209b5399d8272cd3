import { useTranslation } from 'react-i18next';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf } from '../../contract.ts';
import { useScreen } from '../../shell/screen-context.ts';

const ICONS: Record<string, string> = {
  'document-pickup': '✉',
  'parcel-pickup': '▣',
  'drop-off': '⇩',
  'courier-deposit': '⇨',
};

export function Menu(props: PropsOf<'menu'>) {
  const { t } = useTranslation();
  return (
    <Screen title={t('menu.title')} intro={t('menu.intro')}>
      <ServiceChoices services={props.services} />
    </Screen>
  );
}

/** The services, one big button each: on the menu and at once on the start screen. */
export function ServiceChoices({ services }: { services: readonly string[] }) {
  const { t, i18n } = useTranslation();
  const { send } = useScreen();
  const known = (service: string) => i18n.exists(`menu.service.${service}.name`);
  const name = (service: string) =>
    known(service) ? t(`menu.service.${service}.name`) : t('menu.service-unknown');
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
