/**
 * The console speaks Simplified Chinese (the default) and English. react-admin's own messages
 * come from ra-language-english and CitySOC's ra-zh-CN; CitySOC's messages from en.ts and
 * zh-CN.ts, which must hold the same keys (console/e2e/messages.test.ts checks both).
 */
import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';
import { resolveBrowserLocale } from 'ra-core';
import { en } from './en';
import { raZhCN } from './ra-zh-CN';
import { zhCN } from './zh-CN';

export const LOCALES = [
  { locale: 'zh-CN', name: '简体中文' },
  { locale: 'en', name: 'English' },
] as const;
export type Locale = (typeof LOCALES)[number]['locale'];

export const MESSAGES = {
  'zh-CN': { ...raZhCN, ...zhCN },
  en: { ...englishMessages, ...en },
} as const;

/** zh-CN unless the browser asks for English. */
function initialLocale(): Locale {
  return resolveBrowserLocale('zh-CN') === 'en' ? 'en' : 'zh-CN';
}

export const i18nProvider = polyglotI18nProvider((locale) => (locale === 'en' ? MESSAGES.en : MESSAGES['zh-CN']), initialLocale(), [...LOCALES], {
  allowMissing: false,
});
