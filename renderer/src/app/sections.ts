import type { IconName } from '../components/Icon';
import type { Section } from '../store';

/** The navigation, in the seed's order of work: conversations first, then drafts, history, report, settings. */
export const NAV_ITEMS: ReadonlyArray<{ section: Section; icon: IconName; labelKey: `nav.${Section}` }> = [
  { section: 'events', icon: 'conversations', labelKey: 'nav.events' },
  { section: 'drafts', icon: 'drafts', labelKey: 'nav.drafts' },
  { section: 'history', icon: 'history', labelKey: 'nav.history' },
  { section: 'report', icon: 'report', labelKey: 'nav.report' },
  { section: 'settings', icon: 'settings', labelKey: 'nav.settings' },
];
