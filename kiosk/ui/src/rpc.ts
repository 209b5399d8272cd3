import { type EventReply, RPC_PATHS, type UiEvent, VIEW_EVENT, type View } from './contract.ts';

const RECONNECT_MS = [500, 1000, 2000, 5000];

/**
 * Sends UI events one after another: each waits for the service's answer to the one before.
 * Separate requests may overtake each other (the browser opens several connections), and a
 * keypad's "4", "2" must not arrive as "2", "4", nor a letter before the field it is for.
 */
export function orderedSender(
  post: (event: UiEvent) => Promise<EventReply>,
): (event: UiEvent) => Promise<EventReply> {
  let previous: Promise<unknown> = Promise.resolve();
  return (event) => {
    const reply = previous.then(() => post(event));
    previous = reply.catch(() => undefined);
    return reply;
  };
}

/** Posts one UI event; a network failure answers like a refused event, never throws. */
async function postEvent(event: UiEvent): Promise<EventReply> {
  try {
    const response = await fetch(RPC_PATHS.event, {
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

export const sendEvent = orderedSender(postEvent);

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
    source = new EventSource(RPC_PATHS.views, { withCredentials: true });
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
