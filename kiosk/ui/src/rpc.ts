import type { UiEvent } from '../../src/core/ui-events.ts';
import type { EventReply, View } from '../../src/service/rpc-contract.ts';

export type { UiEvent, View };

// Same values as RPC_PATHS / VIEW_EVENT in the contract; copied because the page imports
// the contract's types only (a value import would bundle the service side).
const EVENT_PATH = '/api/event';
const VIEWS_PATH = '/api/views';
const VIEW_EVENT = 'view';
const RECONNECT_MS = [500, 1000, 2000, 5000];

/** Sends one UI event; a network failure answers like a refused event, never throws. */
export async function sendEvent(event: UiEvent): Promise<EventReply> {
  try {
    const response = await fetch(EVENT_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(event),
    });
    return (await response.json()) as EventReply;
  } catch (error) {
    return { ok: false, error: { kind: 'invalid', issues: String(error) } };
  }
}

export interface ViewStream {
  close(): void;
}

/**
 * Follows the service's views. The browser's own EventSource retry gives up on some errors
 * (e.g. a 5xx while the service restarts), so a closed stream is reopened here, backing off.
 */
export function followViews(onView: (view: View) => void, onLost: () => void): ViewStream {
  let source: EventSource | null = null;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const open = () => {
    source = new EventSource(VIEWS_PATH, { withCredentials: true });
    source.addEventListener(VIEW_EVENT, (message) => {
      attempt = 0;
      onView(JSON.parse((message as MessageEvent<string>).data) as View);
    });
    source.onerror = () => {
      if (closed) return;
      // A stale view must not take input: wait for the current one again.
      onLost();
      if (source?.readyState !== EventSource.CLOSED) return; // the browser retries itself
      const delay = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)];
      timer = setTimeout(open, delay);
    };
  };
  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
  };
}
