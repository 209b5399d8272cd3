import { useEffect } from 'react';
import type { View } from '../contract.ts';
import i18n, { htmlLang, isRtl } from '../i18n.ts';

/** Language, direction and display modes live on <html>/<body>, so CSS and AT see them. */
export function useDocumentSettings(session: View['session'] | undefined): void {
  const language = session?.language ?? 'de';
  const { largeText = false, highContrast = false } = session?.accessibility ?? {};
  useEffect(() => {
    if (i18n.language !== language) void i18n.changeLanguage(language);
    document.documentElement.lang = htmlLang(language);
    document.documentElement.dir = isRtl(language) ? 'rtl' : 'ltr';
  }, [language]);
  useEffect(() => {
    document.documentElement.classList.toggle('large-text', largeText);
    document.body.classList.toggle('high-contrast', highContrast);
  }, [largeText, highContrast]);
}
