import { useTranslation } from 'react-i18next';
import { Action } from '../../components/Action.tsx';
import { DateTime } from '../../components/DateTime.tsx';
import { useReason } from '../../components/reasons.ts';
import { Screen } from '../../components/Screen.tsx';
import type { PropsOf, SyncStatusView } from '../../contract.ts';

/** The connection to the town hall: staff see whether what they did has arrived. */
function SyncState({ sync }: { sync: SyncStatusView | null }) {
  const { t } = useTranslation();
  // The kind of problem in the staff's language; the technical text stays in the log.
  const problem = useReason('staff.menu.sync.problem');
  const state = sync === null ? 'off' : sync.online ? 'online' : 'offline';
  return (
    <section className="sync-state" aria-labelledby="sync-title" data-testid="sync-state">
      <h2 id="sync-title">{t('staff.menu.sync.title')}</h2>
      <dl>
        <dt>{t('staff.menu.sync.state')}</dt>
        <dd data-testid="sync-online">{t(`staff.menu.sync.${state}`)}</dd>
        {sync && (
          <>
            <dt>{t('staff.menu.sync.last-sync')}</dt>
            <dd data-testid="sync-last">
              {sync.lastSync === null ? (
                t('staff.menu.sync.never')
              ) : (
                <DateTime at={sync.lastSync} />
              )}
            </dd>
            <dt>{t('staff.menu.sync.queue')}</dt>
            <dd data-testid="sync-queue">{sync.queueLength}</dd>
          </>
        )}
        {sync?.problem && (
          <>
            <dt>{t('staff.menu.sync.error')}</dt>
            <dd data-testid="sync-problem">{problem(sync.problem)}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

const TASKS = [
  { task: 'load', event: 'START_LOADING', icon: '⇩' },
  { task: 'retrieve', event: 'START_RETRIEVAL', icon: '⇧' },
  { task: 'maintenance', event: 'START_MAINTENANCE', icon: '⚙' },
] as const;

/** Only the tasks this role may do. */
export function StaffMenu(props: PropsOf<'staff.menu'>) {
  const { t } = useTranslation();
  const { tasks, role, sync } = props;
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
      <SyncState sync={sync} />
      <div className="actions">
        <Action event={{ type: 'LOGOUT' }} testId="logout" kind="secondary">
          {t('staff.menu.logout')}
        </Action>
      </div>
    </Screen>
  );
}
