import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { Screen } from '../../components/Screen.tsx';
import { useProps } from '../../shell/screen-context.ts';
import type { StaffProps } from './props.ts';

const TASKS = [
  { task: 'load', event: 'START_LOADING', icon: '⇩' },
  { task: 'retrieve', event: 'START_RETRIEVAL', icon: '⇧' },
  { task: 'maintenance', event: 'START_MAINTENANCE', icon: '⚙' },
];

/** Only the tasks this role may do. */
export function StaffMenu() {
  const { t } = useTranslation();
  const { tasks, role } = useProps<StaffProps>();
  return (
    <Screen title={t('staff.menu.title')} intro={t(`staff.role.${role ?? 'staff'}`)}>
      <div className="choices">
        {TASKS.filter(({ task }) => tasks.includes(task)).map(({ task, event, icon }) => (
          <Action key={task} kind="choice" event={{ type: event }} testId={`task-${task}`}>
            <span aria-hidden="true" className="choice-icon">
              {icon}
            </span>
            <span className="choice-name">{t(`staff.menu.${task}`)}</span>
          </Action>
        ))}
      </div>
      <div className="actions">
        <Action event={{ type: 'LOGOUT' }} testId="logout" kind="secondary">
          {t('staff.menu.logout')}
        </Action>
      </div>
    </Screen>
  );
}
