/**
 * Sign-in and sessions. A failed sign-in counts against the user name and the client
 * address; at the limit both are locked for the window, the right password included. The
 * answer never says whether a user exists, and an unknown user costs the same scrypt work.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '@amtomat/basics';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { ConsoleStore, ConsoleUser, SessionRecord } from './store.ts';
import { matchTotp } from './totp.ts';

export interface AuthPolicy {
  /** Failures per user name within the window before it is locked. */
  maxFailuresPerUser: number;
  /** Failures per client address (a town hall's staff share one). */
  maxFailuresPerAddress: number;
  failureWindowMs: number;
  sessionIdleMs: number;
  sessionMaxMs: number;
}

export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  maxFailuresPerUser: 5,
  maxFailuresPerAddress: 20,
  failureWindowMs: 15 * 60_000,
  sessionIdleMs: 30 * 60_000,
  sessionMaxMs: 12 * 60 * 60_000,
};

export type LoginError = 'locked' | 'invalid';

export const sha256 = (text: string): string =>
  createHash('sha256').update(text).digest('base64url');

export const newToken = (): string => randomBytes(32).toString('base64url');

export function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const normalizeUsername = (username: string): string =>
  username.normalize('NFKC').trim().toLowerCase();

// Scopes are hashed: the failures table holds neither user names nor addresses.
const userScope = (username: string) => sha256(`user\0${normalizeUsername(username)}`);
const addressScope = (address: string) => sha256(`address\0${address}`);

export function authenticator(store: ConsoleStore, policy: AuthPolicy) {
  // Checked for unknown users, so they take as long as known ones.
  const dummyHash = hashPassword(newToken());

  async function locked(scopes: { user: string; address: string }, now: number) {
    const since = now - policy.failureWindowMs;
    const [byUser, byAddress] = await Promise.all([
      store.failures(scopes.user, since),
      store.failures(scopes.address, since),
    ]);
    return byUser >= policy.maxFailuresPerUser || byAddress >= policy.maxFailuresPerAddress;
  }

  async function credentialsMatch(
    user: ConsoleUser | undefined,
    password: string,
    totp: string,
    now: number,
  ): Promise<boolean> {
    const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !passwordOk || user.disabledAt !== null) return false;
    if (user.totpSecret === null) return true;
    const step = matchTotp(user.totpSecret, totp, now);
    return step !== null && (await store.useTotpStep(user.id, step));
  }

  return {
    async login(
      input: { username: string; password: string; totp: string },
      address: string,
      now: number,
    ): Promise<Result<ConsoleUser, LoginError>> {
      const scopes = { user: userScope(input.username), address: addressScope(address) };
      if (await locked(scopes, now)) {
        await verifyPassword(input.password, await dummyHash);
        return err('locked');
      }
      const user = await store.userByName(normalizeUsername(input.username));
      if ((await credentialsMatch(user, input.password, input.totp, now)) && user) {
        await store.clearFailures(scopes.user);
        return ok(user);
      }
      await store.addFailure([scopes.user, scopes.address], now, now - policy.failureWindowMs);
      return err((await locked(scopes, now)) ? 'locked' : 'invalid');
    },

    /**
     * A signed-in user's current password, before it is changed. Counted like a sign-in
     * (same scopes and limits), so a taken-over session cannot guess it faster than the
     * sign-in form allows.
     */
    async checkPassword(
      user: ConsoleUser,
      password: string,
      address: string,
      now: number,
    ): Promise<Result<void, LoginError>> {
      const scopes = { user: userScope(user.username), address: addressScope(address) };
      if (await locked(scopes, now)) {
        await verifyPassword(password, await dummyHash);
        return err('locked');
      }
      if (await verifyPassword(password, user.passwordHash)) {
        await store.clearFailures(scopes.user);
        return ok(undefined);
      }
      await store.addFailure([scopes.user, scopes.address], now, now - policy.failureWindowMs);
      return err((await locked(scopes, now)) ? 'locked' : 'invalid');
    },

    /** A new session: the token goes into the cookie, only its hash into the database. */
    async startSession(user: ConsoleUser, now: number): Promise<{ token: string; csrf: string }> {
      const token = newToken();
      const csrf = newToken();
      await store.pruneSessions(now - policy.sessionIdleMs, now - policy.sessionMaxMs);
      await store.addSession({ tokenHash: sha256(token), userId: user.id, csrfToken: csrf, now });
      return { token, csrf };
    },

    /** The live session of a cookie's token; an expired one is deleted. */
    async session(token: string | undefined, now: number): Promise<SessionRecord | undefined> {
      if (!token) return undefined;
      const session = await store.session(sha256(token));
      if (!session) return undefined;
      const idle = now - session.lastSeenAt > policy.sessionIdleMs;
      const tooOld = now - session.createdAt > policy.sessionMaxMs;
      if (idle || tooOld) {
        await store.deleteSession(session.tokenHash);
        return undefined;
      }
      // At most one write a minute per session.
      if (now - session.lastSeenAt > 60_000) await store.touchSession(session.tokenHash, now);
      return session;
    },

    /** Too many failed sign-ins with this user name within the window (the users page). */
    async userLocked(username: string, now: number): Promise<boolean> {
      const failures = await store.failures(userScope(username), now - policy.failureWindowMs);
      return failures >= policy.maxFailuresPerUser;
    },

    /**
     * An admin lifts a user's lock: the name's failures are forgotten. A client address's
     * own lock (someone trying many names) stays until its window passes.
     */
    async unlockUser(username: string): Promise<void> {
      await store.clearFailures(userScope(username));
    },

    async endSession(token: string | undefined): Promise<void> {
      if (token) await store.deleteSession(sha256(token));
    },
  };
}
export type Authenticator = ReturnType<typeof authenticator>;
