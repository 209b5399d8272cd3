/**
 * The terminal overview (online, last sync, occupancy, defects, door alarms, queue; warnings
 * when notices to citizens failed or a terminal's events were parked) and a terminal's page
 * with its remote actions: each a `command` change in the terminal's feed, with a required
 * reason, and a row in the console's audit log (one transaction, feed-actions.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { REMOTE_COMMANDS, type TerminalStatus } from '../../protocol/index.ts';
import { notificationCounts } from '../notifications/index.ts';
import type { DeviceRecord } from '../storage/storage.ts';
import { type ConsoleEnv, consolePath, may, type SignedView } from './context.ts';
import { sendCommand } from './feed-actions.ts';
import { html, type SafeHtml } from './html.ts';
import { formFields, guard, idParam, messagePage, sendPage } from './http.ts';
import type { MessageKey } from './i18n.ts';
import { refusalText } from './refusals.ts';
import {
  csrfField,
  type FieldError,
  layout,
  notice,
  radioGroup,
  textArea,
  textField,
} from './views.ts';

const COMMAND_LABELS: Readonly<Record<(typeof REMOTE_COMMANDS)[number], MessageKey>> = {
  'open-compartment': 'command.open-compartment',
  'mark-defective': 'command.mark-defective',
  'mark-repaired': 'command.mark-repaired',
};

const CommandFormSchema = z.object({
  command: z.enum(REMOTE_COMMANDS),
  compartment: z.string().trim().min(1).max(20),
  reason: z.string().trim().min(1).max(500),
});
type CommandForm = Partial<Record<keyof z.infer<typeof CommandFormSchema>, string>>;

const COMMAND_ERRORS: Readonly<Record<string, MessageKey>> = {
  command: 'error.command',
  compartment: 'error.compartment',
  reason: 'error.reason',
};

export const deviceName = (device: DeviceRecord): string => device.label ?? device.id.slice(0, 8);

/** The last time the terminal was heard from: a push or a status report. */
const lastContact = (device: DeviceRecord): number | null => {
  const times = [device.lastSeenAt, device.statusAt].filter((t): t is number => t !== null);
  return times.length > 0 ? Math.max(...times) : null;
};

function onlineState(env: ConsoleEnv, view: SignedView, device: DeviceRecord): SafeHtml {
  const at = lastContact(device);
  const online = at !== null && env.clock.now() - at <= env.onlineWindowMs;
  return html`<span class="state ${online ? 'ok' : 'warn'}">${view.t(online ? 'terminal.online' : 'terminal.offline')}</span>`;
}

function doorAlarms(view: SignedView, status: TerminalStatus | null): SafeHtml | string {
  if (!status) return '–';
  if (status.doorAlarms.length === 0) return view.t('terminal.noAlarms');
  return html`<ul class="plain">${status.doorAlarms.map(
    (a) =>
      html`<li class="warn">${view.t(a.alarm === 'left-open' ? 'alarm.left-open' : 'alarm.forced-open', { compartment: a.compartment })}</li>`,
  )}</ul>`;
}

function overviewRow(env: ConsoleEnv, view: SignedView, device: DeviceRecord): SafeHtml {
  const s = device.status;
  return html`<tr>
<th scope="row"><a href="${consolePath(`/terminals/${encodeURIComponent(device.id)}`)}">${deviceName(device)}</a></th>
<td>${onlineState(env, view, device)}</td>
<td>${view.date(lastContact(device))}</td>
<td>${s ? view.t('terminal.occupancyValue', { occupied: s.compartments.occupied, total: s.compartments.total }) : view.t('terminal.noReport')}</td>
<td>${s ? s.compartments.defective : '–'}</td>
<td>${doorAlarms(view, s)}</td>
<td>${s ? s.queueLength : '–'}</td>
</tr>`;
}

/** Failed notices need a person: a retry, or a call to the citizen. */
function failedNoticesWarning(view: SignedView, failed: number): SafeHtml | string {
  if (failed === 0) return '';
  return html`<p class="warn">${view.t('overview.failedNotices', { count: failed })} <a href="${consolePath('/notices?status=failed')}">${view.t('overview.failedNoticesLink')}</a></p>`;
}

/** Parked events need IT: the terminal sent something the server could not take over. */
function parkedWarning(view: SignedView, device: DeviceRecord, parked: number): SafeHtml | string {
  if (parked === 0) return '';
  const name = deviceName(device);
  return html`<p class="warn">${view.t('parked.warning', { name, count: parked })} <a href="${consolePath(`/parked?device=${encodeURIComponent(device.id)}`)}">${view.t('parked.warningLink', { name })}</a></p>`;
}

function overviewPage(
  env: ConsoleEnv,
  view: SignedView,
  devices: DeviceRecord[],
  warnings: { failedNotices: number; parked: ReadonlyMap<string, number> },
): SafeHtml {
  const { t } = view;
  const body =
    devices.length === 0
      ? html`<p>${t('overview.none')}</p>`
      : html`<table>
<caption>${t('overview.caption', { count: devices.length })}</caption>
<thead><tr>
<th scope="col">${t('terminal.name')}</th><th scope="col">${t('terminal.state')}</th>
<th scope="col">${t('terminal.lastSync')}</th><th scope="col">${t('terminal.occupancy')}</th>
<th scope="col">${t('terminal.defective')}</th><th scope="col">${t('terminal.doorAlarms')}</th>
<th scope="col">${t('terminal.queue')}</th>
</tr></thead>
<tbody>${devices.map((device) => overviewRow(env, view, device))}</tbody>
</table>
<p class="hint">${t('overview.onlineHint', { minutes: Math.round(env.onlineWindowMs / 60_000) })}</p>`;
  return layout(view, {
    title: t('overview.title'),
    body: [
      failedNoticesWarning(view, warnings.failedNotices),
      devices.map((device) => parkedWarning(view, device, warnings.parked.get(device.id) ?? 0)),
      body,
    ],
  });
}

async function terminalPage(
  env: ConsoleEnv,
  view: SignedView,
  device: DeviceRecord,
  state: { values?: CommandForm; errors?: FieldError[]; done?: boolean } = {},
): Promise<SafeHtml> {
  const { t } = view;
  const s = device.status;
  const [commands, parked, refused] = await Promise.all([
    env.store.audit({ target: device.id, action: 'command', limit: 20 }),
    env.storage.parkedCounts(),
    env.storage.refusedChanges(device.id),
  ]);
  const refusedAt = new Map(refused.map((r) => [r.cursor, r.code]));
  /** What became of a remote action: refused, carried out, or not yet fetched. */
  const outcome = (cursor: unknown) => {
    if (typeof cursor !== 'number') return '–';
    const code = refusedAt.get(cursor);
    if (code) return t('command.refused', { reason: refusalText(view, code) });
    return t(cursor <= device.feedAcked ? 'command.applied' : 'command.pending');
  };
  const summary = html`<dl class="facts">
<dt>${t('terminal.state')}</dt><dd>${onlineState(env, view, device)}</dd>
<dt>${t('terminal.lastSync')}</dt><dd>${view.date(lastContact(device))}</dd>
<dt>${t('terminal.occupancy')}</dt><dd>${s ? t('terminal.occupancyValue', { occupied: s.compartments.occupied, total: s.compartments.total }) : t('terminal.noReport')}</dd>
<dt>${t('terminal.defective')}</dt><dd>${s ? s.compartments.defective : '–'}</dd>
<dt>${t('terminal.doorAlarms')}</dt><dd>${doorAlarms(view, s)}</dd>
<dt>${t('terminal.queue')}</dt><dd>${s ? s.queueLength : '–'}</dd>
<dt>${t('terminal.version')}</dt><dd>${s?.version ?? '–'}</dd>
<dt>${t('terminal.feed')}</dt><dd>${t('terminal.feedValue', { acked: device.feedAcked, head: device.feedHead, refused: refused.length })}</dd>
</dl>
<p><a href="${consolePath(`/items?device=${encodeURIComponent(device.id)}`)}">${t('terminal.itemsLink')}</a></p>`;
  const form = may(view.user, 'act')
    ? html`<h2>${t('command.title')}</h2>
<p>${t('command.intro')}</p>
<form method="post" action="${consolePath(`/terminals/${encodeURIComponent(device.id)}/commands`)}" novalidate>
${csrfField(view.csrf)}
${radioGroup({ name: 'command', label: t('command.action'), value: state.values?.command, errors: state.errors, options: REMOTE_COMMANDS.map((c) => ({ value: c, label: t(COMMAND_LABELS[c]) })) })}
${textField({ name: 'compartment', label: t('command.compartment'), hint: t('command.compartmentHint'), value: state.values?.compartment, required: true, errors: state.errors })}
${textArea({ name: 'reason', label: t('command.reason'), hint: t('command.reasonHint'), value: state.values?.reason, required: true, errors: state.errors })}
<button type="submit">${t('command.submit')}</button>
</form>`
    : '';
  const history = html`<h2>${t('command.recent')}</h2>${
    commands.length === 0
      ? html`<p>${t('command.none')}</p>`
      : html`<table><caption>${t('command.recentCaption')}</caption>
<thead><tr><th scope="col">${t('audit.at')}</th><th scope="col">${t('command.action')}</th><th scope="col">${t('command.compartment')}</th><th scope="col">${t('audit.user')}</th><th scope="col">${t('command.reason')}</th><th scope="col">${t('command.outcome')}</th></tr></thead>
<tbody>${commands.map((c) => {
          const command = String(c.details?.command ?? '');
          const label = (REMOTE_COMMANDS as readonly string[]).includes(command)
            ? t(COMMAND_LABELS[command as (typeof REMOTE_COMMANDS)[number]])
            : command;
          return html`<tr><td>${view.date(c.at)}</td><td>${label}</td><td>${String(c.details?.compartment ?? '')}</td><td>${c.username}</td><td>${c.reason}</td><td>${outcome(c.details?.cursor)}</td></tr>`;
        })}</tbody></table>`
  }`;
  return layout(view, {
    title: t('terminal.title', { name: deviceName(device) }),
    body: [
      state.done ? notice(t('command.sent')) : html``,
      parkedWarning(view, device, parked.get(device.id) ?? 0),
      summary,
      form,
      history,
    ],
    errors: state.errors ?? [],
  });
}

export function registerTerminalRoutes(scope: FastifyInstance, env: ConsoleEnv) {
  scope.get(
    '/',
    guard(env, 'view', async (_request, reply, view) => {
      const [devices, counts, parked] = await Promise.all([
        env.storage.devices(),
        notificationCounts(env.storage),
        env.storage.parkedCounts(),
      ]);
      const warnings = { failedNotices: counts.failed, parked };
      return sendPage(reply, 200, overviewPage(env, view, devices, warnings));
    }),
  );

  const deviceOf = async (request: FastifyRequest) => {
    const id = idParam(request);
    return id === undefined ? undefined : env.storage.device(id);
  };

  scope.get(
    '/terminals/:id',
    guard(env, 'view', async (request, reply, view) => {
      const device = await deviceOf(request);
      if (!device) return messagePage(reply, view, 404, 'notFound.title', 'notFound.terminal');
      const done = formFields(request.query).done === 'command';
      return sendPage(reply, 200, await terminalPage(env, view, device, { done }));
    }),
  );

  scope.post(
    '/terminals/:id/commands',
    guard(env, 'act', async (request, reply, view, form) => {
      const device = await deviceOf(request);
      if (!device) return messagePage(reply, view, 404, 'notFound.title', 'notFound.terminal');
      const values: CommandForm = {
        command: form.command,
        compartment: form.compartment,
        reason: form.reason,
      };
      const parsed = CommandFormSchema.safeParse(values);
      if (!parsed.success) {
        const errors = firstErrors(parsed.error, COMMAND_ERRORS, view);
        view = { ...view, path: consolePath(`/terminals/${encodeURIComponent(device.id)}`) };
        return sendPage(reply, 422, await terminalPage(env, view, device, { values, errors }));
      }
      const sent = await sendCommand(env, view, device.id, parsed.data);
      if (!sent.ok) return messagePage(reply, view, 404, 'notFound.title', 'notFound.terminal');
      env.logger.log('info', 'console.command', {
        user: view.user.id,
        device: device.id,
        command: parsed.data.command,
        cursor: sent.value.cursor,
      });
      return reply.redirect(
        consolePath(`/terminals/${encodeURIComponent(device.id)}?done=command`),
        303,
      );
    }),
  );
}

/** One translated message per field, in the order of the issues. */
export function firstErrors(
  error: z.ZodError,
  messages: Readonly<Record<string, MessageKey>>,
  view: SignedView,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '');
    const key = messages[field];
    if (key && !errors.some((e) => e.field === field)) errors.push({ field, message: view.t(key) });
  }
  return errors;
}
