/**
 * Parked events: what a terminal reported and the server set aside (an unknown type, a
 * payload failing its schema, an item of another terminal). The terminal counts them as
 * delivered, so only staff reporting them to IT get them looked at. Listed with terminal,
 * seq, type, time received and the reason (fields and rules, never values) — never the
 * payload: it may hold references. The overview and a terminal's page warn with the count
 * (routes-terminals.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DeviceRecord, StoredEvent } from '../storage/storage.ts';
import { type ConsoleEnv, consolePath, type SignedView } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import { formFields, guard, sendPage } from './http.ts';
import { deviceName } from './routes-terminals.ts';
import { englishCell, layout, selectField } from './views.ts';

export const PARKED_PATH = consolePath('/parked');
const SHOWN = 200;
const ParkedQuerySchema = z.object({ device: z.string().min(1).max(100).optional() });

const reasonOf = (event: StoredEvent): string | null =>
  event.outcome.status === 'parked' ? event.outcome.reason : null;

function parkedRow(
  view: SignedView,
  event: StoredEvent,
  device: DeviceRecord | undefined,
): SafeHtml {
  const terminal = device
    ? html`<a href="${consolePath(`/terminals/${encodeURIComponent(device.id)}`)}">${deviceName(device)}</a>`
    : event.deviceId;
  return html`<tr>
<th scope="row">${terminal}</th>
<td>${event.seq}</td>
${englishCell(view, event.type)}
<td>${view.date(event.receivedAt)}</td>
${englishCell(view, reasonOf(event))}
</tr>`;
}

function parkedTable(
  view: SignedView,
  events: readonly StoredEvent[],
  devices: ReadonlyMap<string, DeviceRecord>,
): SafeHtml {
  const { t } = view;
  if (events.length === 0) return html`<p>${t('parked.none')}</p>`;
  const shown = events.slice(0, SHOWN);
  const vars = { count: events.length, shown: shown.length };
  const caption = t(
    shown.length < events.length ? 'parked.captionLimited' : 'parked.caption',
    vars,
  );
  return html`<table>
<caption>${caption}</caption>
<thead><tr><th scope="col">${t('parked.terminal')}</th><th scope="col">${t('parked.seq')}</th><th scope="col">${t('parked.type')}</th><th scope="col">${t('parked.receivedAt')}</th><th scope="col">${t('parked.reason')}</th></tr></thead>
<tbody>${shown.map((event) => parkedRow(view, event, devices.get(event.deviceId)))}</tbody>
</table>`;
}

async function parkedPage(
  env: ConsoleEnv,
  view: SignedView,
  filter: string | undefined,
): Promise<SafeHtml> {
  const { t } = view;
  const [devices, parked] = await Promise.all([env.storage.devices(), env.storage.parkedEvents()]);
  // The store lists the oldest first; staff look for the newest.
  const events = parked.filter((e) => filter === undefined || e.deviceId === filter).reverse();
  const form = html`<form method="get" action="${PARKED_PATH}" class="filters">
${selectField({ name: 'device', label: t('parked.terminal'), value: filter ?? '', options: [{ value: '', label: t('parked.all') }, ...devices.map((d) => ({ value: d.id, label: deviceName(d) }))] })}
<button type="submit">${t('parked.filter')}</button>
</form>`;
  const byId = new Map(devices.map((d) => [d.id, d]));
  return layout(view, {
    title: t('parked.title'),
    body: [html`<p>${t('parked.intro')}</p>`, form, parkedTable(view, events, byId)],
  });
}

export function registerParkedRoutes(scope: FastifyInstance, env: ConsoleEnv) {
  scope.get(
    '/parked',
    guard(env, 'view', async (request, reply, view) => {
      const query = formFields(request.query);
      const parsed = ParkedQuerySchema.safeParse(query.device ? { device: query.device } : {});
      const filter = parsed.success ? parsed.data.device : undefined;
      return sendPage(reply, 200, await parkedPage(env, view, filter));
    }),
  );
}
