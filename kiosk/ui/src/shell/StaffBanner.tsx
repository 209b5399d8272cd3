import { useTranslation } from 'react-i18next';
import { isStaffScreen } from '../screens/staff-look.ts';

/** Staff and couriers see at once that they are not on a citizen's screen. */
export function StaffBanner({ screen }: { screen: string }) {
  const { t } = useTranslation();
  if (!isStaffScreen(screen)) return null;
  return (
    <div className="staff-banner">
      {screen.startsWith('courier.') ? t('common.courier-mode') : t('common.staff-mode')}
    </div>
  );
}
