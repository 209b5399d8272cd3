/**
 * The audit log in sentences a clerk can read ("Sendung BA-42 storniert"), not ids and JSON:
 * the rows keep ids and technical details (they outlive names), the page resolves them to
 * the terminal's name, the item's reference and the user's name.
 */
import type { ConsoleEnv, View } from './context.ts';
import { isMessageKey, type MessageKey } from './i18n.ts';
import { deviceName } from './routes-terminals.ts';
import type { AuditEntry } from './store.ts';

export interface AuditNames {
  terminals: ReadonlyMap<string, string>;
  items: ReadonlyMap<string, string>;
  users: ReadonlyMap<string, string>;
}

/** The names every sentence of these entries needs, in three queries. */
export async function auditNames(
  env: ConsoleEnv,
  entries: readonly AuditEntry[],
): Promise<AuditNames> {
  const itemIds = new Set<string>();
  for (const e of entries) {
    if ((e.action === 'announce' || e.action === 'cancel') && e.target) itemIds.add(e.target);
    const itemId = e.details?.itemId;
    if (typeof itemId === 'string') itemIds.add(itemId);
  }
  const [devices, items, users] = await Promise.all([
    env.storage.devices(),
    env.store.itemReferences([...itemIds]),
    env.store.users(),
  ]);
  return {
    terminals: new Map(devices.map((d) => [d.id, deviceName(d)])),
    items,
    users: new Map(users.map((u) => [u.id, u.username])),
  };
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** A translated label for `prefix.value`, or the value itself when there is none. */
function labelOf(view: View, prefix: string, value: string | undefined): string {
  if (value === undefined) return view.t('audit.unknown');
  const key = `${prefix}.${value}`;
  return isMessageKey(key) ? view.t(key) : value;
}

export function auditSentence(view: View, entry: AuditEntry, names: AuditNames): string {
  const { t } = view;
  const d = entry.details ?? {};
  const unknown = t('audit.unknown');
  const terminal = (id: string | undefined) => (id && names.terminals.get(id)) || unknown;
  const item = (id: string | undefined) => (id && names.items.get(id)) || unknown;
  const user = (id: string | null) => (id && names.users.get(id)) || unknown;
  const sentences: Readonly<Record<string, () => string>> = {
    login: () => t('auditText.login'),
    announce: () =>
      t('auditText.announce', {
        kind: labelOf(view, 'kind', text(d.itemKind)),
        reference: item(entry.target ?? undefined),
        terminal: terminal(text(d.deviceId)),
      }),
    cancel: () =>
      t('auditText.cancel', {
        reference: item(entry.target ?? undefined),
        terminal: terminal(text(d.deviceId)),
      }),
    command: () =>
      t('auditText.command', {
        command: labelOf(view, 'command', text(d.command)),
        compartment: text(d.compartment) ?? unknown,
        terminal: terminal(entry.target ?? undefined),
      }),
    'user-added': () =>
      t(d.totp === true ? 'auditText.userAddedTotp' : 'auditText.userAdded', {
        user: user(entry.target),
        role: labelOf(view, 'role', text(d.role)),
      }),
    'user-disabled': () => t('auditText.userDisabled', { user: user(entry.target) }),
    'user-unlocked': () => t('auditText.userUnlocked', { user: user(entry.target) }),
    'notice-retry': () =>
      t('auditText.noticeRetry', {
        kind: labelOf(view, 'noticeKind', text(d.kind)),
        channel: labelOf(view, 'channel', text(d.channel)),
        reference: item(text(d.itemId)),
      }),
    'password-changed': () =>
      t('auditText.passwordChanged', {
        count: typeof d.endedSessions === 'number' ? d.endedSessions : 0,
      }),
  };
  const sentence = sentences[entry.action];
  if (sentence) return sentence();
  // An action of a newer version: its name, translated where the locale knows it.
  const key: string = `auditAction.${entry.action}`;
  return isMessageKey(key) ? t(key as MessageKey) : entry.action;
}
