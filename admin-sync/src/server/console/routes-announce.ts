/**
 * Announcing a document for pickup: the form, validated with `AnnounceInputSchema` and stored
 * by `announceItem` (code generated and hashed there). Staff never see the code: it is sent
 * to the citizen when the terminal reports the item loaded.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { ITEM_KINDS } from '../../protocol/index.ts';
import {
  type AnnounceError,
  AnnounceInputSchema,
  announceItem,
  NOTICE_LANGUAGES,
} from '../announce.ts';
import type { DeviceRecord } from '../storage/storage.ts';
import { type ConsoleEnv, consolePath, type SignedView } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import { audit, guard, sendPage } from './http.ts';
import type { MessageKey } from './i18n.ts';
import { deviceName } from './routes-terminals.ts';
import { checkbox, csrfField, type FieldError, layout, selectField, textField } from './views.ts';

export const ANNOUNCE_KINDS = ITEM_KINDS.filter((kind) => kind !== 'drop-off');

const FIELDS = [
  'deviceId',
  'reference',
  'itemKind',
  'holdingDays',
  'language',
  'email',
  'mobile',
  'dateOfBirth',
] as const;
/** Checkboxes: sent as `on` when ticked, nothing otherwise. */
const CHECKBOXES = ['needsPinLetterConfirmation', 'needsAccessible'] as const;
type AnnounceForm = Partial<Record<(typeof FIELDS)[number], string>> &
  Partial<Record<(typeof CHECKBOXES)[number], boolean>>;
/** Every field in the order of the form, so the error summary reads like the page. */
const FORM_ORDER: readonly string[] = [...FIELDS, ...CHECKBOXES];

const FIELD_ERRORS: Readonly<Record<(typeof FIELDS)[number], MessageKey>> = {
  deviceId: 'error.deviceId',
  reference: 'error.reference',
  itemKind: 'error.itemKind',
  holdingDays: 'error.holdingDays',
  language: 'error.language',
  email: 'error.email',
  mobile: 'error.mobile',
  dateOfBirth: 'error.dateOfBirth',
};

/** The schema's cross-field rules (custom issues) have their own messages. */
const CUSTOM_ERRORS: Readonly<Record<string, MessageKey>> = {
  email: 'error.contactMissing',
  dateOfBirth: 'error.dateOfBirthRequired',
  needsPinLetterConfirmation: 'error.pinLetterOnlyIdDocument',
};

const ANNOUNCE_ERRORS: Readonly<Record<AnnounceError, { field: string; message: MessageKey }>> = {
  'unknown-device': { field: 'deviceId', message: 'error.deviceId' },
  'device-without-code-key': { field: 'deviceId', message: 'error.deviceWithoutCodeKey' },
  'invalid-date-of-birth': { field: 'dateOfBirth', message: 'error.dateOfBirth' },
  'reference-active': { field: 'reference', message: 'error.referenceActive' },
};

export const kindLabel = (kind: string): MessageKey | undefined =>
  (ANNOUNCE_KINDS as readonly string[]).includes(kind) || kind === 'drop-off'
    ? (`kind.${kind}` as MessageKey)
    : undefined;

function fieldErrors(error: z.ZodError, view: SignedView): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '');
    if (!FORM_ORDER.includes(field) || errors.some((e) => e.field === field)) continue;
    const key =
      issue.code === 'custom'
        ? CUSTOM_ERRORS[field]
        : FIELD_ERRORS[field as (typeof FIELDS)[number]];
    if (key) errors.push({ field, message: view.t(key) });
  }
  const order = (field: string) => FORM_ORDER.indexOf(field);
  return errors.sort((a, b) => order(a.field) - order(b.field));
}

function announcePage(
  view: SignedView,
  devices: DeviceRecord[],
  values: AnnounceForm = {},
  errors: FieldError[] = [],
): SafeHtml {
  const { t } = view;
  const body = html`<p>${t('announce.intro')}</p>
<form method="post" action="${consolePath('/announce')}" novalidate>
${csrfField(view.csrf)}
${selectField({
  name: 'deviceId',
  label: t('announce.terminal'),
  value: values.deviceId,
  required: true,
  errors,
  options: [
    { value: '', label: t('announce.chooseTerminal') },
    ...devices.map((d) => ({ value: d.id, label: deviceName(d) })),
  ],
})}
${textField({ name: 'reference', label: t('announce.reference'), hint: t('announce.referenceHint'), value: values.reference, required: true, autocomplete: 'off', errors })}
${selectField({
  name: 'itemKind',
  label: t('announce.kind'),
  value: values.itemKind ?? 'document',
  errors,
  options: ANNOUNCE_KINDS.map((kind) => ({ value: kind, label: t(kindLabel(kind)!) })),
})}
${textField({ name: 'holdingDays', label: t('announce.holdingDays'), hint: t('announce.holdingDaysHint'), type: 'number', value: values.holdingDays ?? '14', inputmode: 'numeric', errors, extra: html` min="1" max="365"` })}
<fieldset>
<legend>${t('announce.contact')}</legend>
<p class="hint">${t('announce.contactHint')}</p>
${selectField({
  name: 'language',
  label: t('announce.language'),
  value: values.language ?? 'de',
  errors,
  options: NOTICE_LANGUAGES.map((lang) => ({ value: lang, label: t(`language.${lang}`) })),
})}
${textField({ name: 'email', label: t('announce.email'), type: 'email', value: values.email, autocomplete: 'off', errors })}
${textField({ name: 'mobile', label: t('announce.mobile'), hint: t('announce.mobileHint'), type: 'tel', value: values.mobile, autocomplete: 'off', errors })}
</fieldset>
${textField({ name: 'dateOfBirth', label: t('announce.dateOfBirth'), hint: t('announce.dateOfBirthHint'), value: values.dateOfBirth, autocomplete: 'off', errors })}
${checkbox({ name: 'needsPinLetterConfirmation', label: t('announce.needsPinLetterConfirmation'), hint: t('announce.needsPinLetterConfirmationHint'), checked: values.needsPinLetterConfirmation ?? false, errors })}
${checkbox({ name: 'needsAccessible', label: t('announce.needsAccessible'), checked: values.needsAccessible ?? false })}
<button type="submit">${t('announce.submit')}</button>
</form>`;
  return layout(view, { title: t('announce.title'), body, errors });
}

export function registerAnnounceRoutes(scope: FastifyInstance, env: ConsoleEnv) {
  scope.get(
    '/announce',
    guard(env, 'act', async (_request, reply, view) =>
      sendPage(reply, 200, announcePage(view, await env.storage.devices())),
    ),
  );

  scope.post(
    '/announce',
    guard(env, 'act', async (_request, reply, view, form) => {
      const values: AnnounceForm = Object.fromEntries(FIELDS.map((f) => [f, form[f] ?? '']));
      for (const name of CHECKBOXES) values[name] = form[name] === 'on';
      const refuse = async (errors: FieldError[]) =>
        sendPage(reply, 422, announcePage(view, await env.storage.devices(), values, errors));

      const parsed = AnnounceInputSchema.safeParse(values);
      if (!parsed.success) return refuse(fieldErrors(parsed.error, view));
      const announced = await announceItem(
        env.storage,
        parsed.data,
        view.user.username,
        env.clock.now(),
      );
      if (!announced.ok) {
        const { field, message } = ANNOUNCE_ERRORS[announced.error];
        return refuse([{ field, message: view.t(message) }]);
      }
      const { itemId, cursor } = announced.value;
      await audit(env, view, {
        action: 'announce',
        target: itemId,
        reason: null,
        details: { deviceId: parsed.data.deviceId, itemKind: parsed.data.itemKind, cursor },
      });
      env.logger.log('info', 'console.announced', {
        user: view.user.id,
        item: itemId,
        device: parsed.data.deviceId,
      });
      return reply.redirect(
        consolePath(`/items/${encodeURIComponent(itemId)}?done=announced`),
        303,
      );
    }),
  );
}
