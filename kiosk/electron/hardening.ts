import type { Logger } from '@amtomat/basics';
import type { NavigationEvent, SessionLike, WebContentsLike } from './electron-like.ts';

/**
 * The page is a built React app served by the service: its own scripts and styles, data
 * over fetch and SSE to the same origin. Nothing inline, nothing foreign. React's `style`
 * props go through the CSSOM, which CSP does not restrict, so no 'unsafe-inline' is needed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The origin of `url`, or undefined when it is not a URL (treated as foreign). */
export function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Response headers with our policy replacing whatever policy the response had. */
export function withContentSecurityPolicy(
  headers: Record<string, string | string[]> | undefined,
): Record<string, string | string[]> {
  const kept = Object.entries(headers ?? {}).filter(
    ([name]) => name.toLowerCase() !== 'content-security-policy',
  );
  return { ...Object.fromEntries(kept), 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] };
}

/**
 * Web content gets no permission (camera, HID, serial, notifications, …: hardware belongs
 * to the service) and every response from the service carries the strict policy.
 */
export function hardenSession(session: SessionLike, serviceOrigin: string, logger: Logger): void {
  session.setPermissionRequestHandler((_webContents, permission, callback) => {
    logger.log('warn', 'permission-denied', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived({ urls: [`${serviceOrigin}/*`] }, (details, callback) => {
    // The URL filter already limits this to the service; the check keeps it so if it widens.
    if (originOf(details.url) !== serviceOrigin) {
      callback({});
      return;
    }
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}

/** No new windows, no webviews, no navigation or redirect away from the service. */
export function hardenWebContents(
  contents: WebContentsLike,
  serviceOrigin: string,
  logger: Logger,
): void {
  contents.setWindowOpenHandler(() => {
    logger.log('warn', 'window-open-denied');
    return { action: 'deny' };
  });
  const blockForeign = (kind: string) => (event: NavigationEvent) => {
    const target = originOf(event.url);
    if (target === serviceOrigin) return;
    event.preventDefault();
    // Only the origin is logged: a path or query could carry what a citizen typed.
    logger.log('warn', 'navigation-blocked', { kind, targetOrigin: target ?? 'invalid' });
  };
  contents.on('will-navigate', blockForeign('will-navigate'));
  contents.on('will-redirect', blockForeign('will-redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.log('warn', 'webview-blocked');
  });
}
