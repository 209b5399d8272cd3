import { useTranslation } from 'react-i18next';

/**
 * Words for a code from the props (an error, a failure reason): its own key under
 * `group`, or the group's `unknown` key for a code this page does not know yet.
 */
export function useReason(group: string): (code: unknown) => string | null {
  const { t, i18n } = useTranslation();
  return (code) => {
    if (typeof code !== 'string' || code === '') return null;
    const key = `${group}.${code}`;
    return i18n.exists(key) ? t(key) : t(`${group}.unknown`);
  };
}
