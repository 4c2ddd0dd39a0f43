import { DateTime } from 'luxon';

/** The languages templates exist in: the seed languages plus English. */
export const SUPPORTED_LANGUAGES = ['en', 'de', 'pl', 'zh-CN', 'zh-TW'] as const;
export type SupportedLanguage = (typeof SUPPORTED_LANGUAGES)[number];

/** Customer time zones by ticket region (ISO 3166-1 alpha-2). Other regions get UTC. */
export const REGION_ZONES: Readonly<Record<string, string>> = {
  US: 'America/New_York',
  CA: 'America/Toronto',
  GB: 'Europe/London',
  AU: 'Australia/Sydney',
  DE: 'Europe/Berlin',
  PL: 'Europe/Warsaw',
  CN: 'Asia/Shanghai',
  TW: 'Asia/Taipei',
};

export function zoneForRegion(region: string | undefined): string {
  return (region !== undefined && REGION_ZONES[region]) || 'UTC';
}

/** How a ticket's language tag is read: which templates, and which locale formats its dates. */
export interface Localization {
  /** The template language. */
  language: SupportedLanguage;
  /**
   * The locale dates are formatted in: the ticket's own tag when it is a variant of the template
   * language (`en-GB`, `de-AT`), so an Austrian customer gets Austrian month names; otherwise the
   * template language itself, so a message never mixes two languages.
   */
  locale: string;
}

const isSupportedLocale = (tag: string) => {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([tag]).length > 0;
  } catch {
    return false;
  }
};

/**
 * The template language for a BCP 47 tag: exact match first (case-insensitive), then Chinese by
 * script or region (Hans, CN, SG → zh-CN; Hant, TW, HK, MO → zh-TW; bare `zh` → zh-CN), then the
 * primary language (`de-AT` → de), falling back to English.
 */
export function localize(tag: string | undefined): Localization {
  if (tag === undefined || tag.trim() === '') return { language: 'en', locale: 'en' };
  const lower = tag.trim().toLowerCase();
  const exact = SUPPORTED_LANGUAGES.find((l) => l.toLowerCase() === lower);
  if (exact !== undefined) return { language: exact, locale: exact };
  const [primary, ...subtags] = lower.split('-');
  if (primary === 'zh') {
    const traditional = subtags.some((s) => s === 'hant' || s === 'tw' || s === 'hk' || s === 'mo');
    const language = traditional ? 'zh-TW' : 'zh-CN';
    return { language, locale: language };
  }
  const language = SUPPORTED_LANGUAGES.find((l) => l === primary);
  if (language === undefined) return { language: 'en', locale: 'en' };
  return { language, locale: isSupportedLocale(tag.trim()) ? tag.trim() : language };
}

/**
 * An instant as the reader would write it: in their zone and locale, with the zone named, e.g.
 * "November 2, 2026 at 4:00 AM EST", "2. November 2026 um 10:00 MEZ", "2026年11月2日 GMT+8 17:00".
 */
export function formatInstant(iso: string, zone: string, locale: string): string {
  const instant = DateTime.fromISO(iso, { setZone: true }).setZone(zone).setLocale(locale);
  if (!instant.isValid) return iso;
  return instant.toLocaleString(DateTime.DATETIME_FULL);
}

/** Whether luxon knows the IANA zone. */
export function isKnownZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}
