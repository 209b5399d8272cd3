/**
 * The console's own tables (migration 3), in the SQL common to SQLite and PostgreSQL:
 * users, sessions (only a SHA-256 of the token), failed sign-ins for rate limits, and the
 * audit log of console actions.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { JsonObject } from '../../protocol/index.ts';
import { type SqlDriver, type SqlQueryable, whereAll } from '../storage/driver.ts';
import { type SecretBox, sealedContext } from '../storage/secrets.ts';

export const ROLES = ['admin', 'clerk', 'viewer', 'evaluator'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export interface ConsoleUser {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  totpSecret: string | null;
  totpLastStep: number | null;
  createdAt: number;
  disabledAt: number | null;
}

export interface SessionRecord {
  tokenHash: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  user: ConsoleUser;
}

export interface AuditEntry {
  id: string;
  at: number;
  userId: string;
  username: string;
  action: string;
  target: string | null;
  reason: string | null;
  /** Technical details only: ids, kinds, cursors; never contact data or codes. */
  details: JsonObject | null;
}

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  totp_secret: string | null;
  totp_last_step: number | null;
  created_at: number;
  disabled_at: number | null;
}

/** TOTP secrets are sealed in the database (storage/secrets.ts), open only in memory. */
const TOTP_CONTEXT = sealedContext('console_users', 'totp_secret');

const toUser = (row: UserRow, secrets: SecretBox): ConsoleUser => ({
  id: row.id,
  username: row.username,
  passwordHash: row.password_hash,
  role: RoleSchema.parse(row.role),
  totpSecret: row.totp_secret === null ? null : secrets.open(row.totp_secret, TOTP_CONTEXT),
  totpLastStep: row.totp_last_step,
  createdAt: row.created_at,
  disabledAt: row.disabled_at,
});

const USER_COLUMNS =
  'id, username, password_hash, role, totp_secret, totp_last_step, created_at, disabled_at';

export type ConsoleStore = ReturnType<typeof consoleStore>;

export function consoleStore(sql: SqlDriver, secrets: SecretBox) {
  return {
    async addUser(user: {
      username: string;
      passwordHash: string;
      role: Role;
      totpSecret: string | null;
      now: number;
    }): Promise<ConsoleUser | 'username-taken'> {
      const id = randomUUID();
      const inserted = await sql.run(
        `INSERT INTO console_users (id, username, password_hash, role, totp_secret, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING`,
        [
          id,
          user.username,
          user.passwordHash,
          user.role,
          user.totpSecret === null ? null : secrets.seal(user.totpSecret, TOTP_CONTEXT),
          user.now,
        ],
      );
      if (inserted !== 1) return 'username-taken';
      return (await this.userById(id))!;
    },

    async userByName(username: string): Promise<ConsoleUser | undefined> {
      const [row] = await sql.all<UserRow>(
        `SELECT ${USER_COLUMNS} FROM console_users WHERE username = ?`,
        [username],
      );
      return row && toUser(row, secrets);
    },

    async userById(id: string): Promise<ConsoleUser | undefined> {
      const [row] = await sql.all<UserRow>(
        `SELECT ${USER_COLUMNS} FROM console_users WHERE id = ?`,
        [id],
      );
      return row && toUser(row, secrets);
    },

    async users(): Promise<ConsoleUser[]> {
      const rows = await sql.all<UserRow>(
        `SELECT ${USER_COLUMNS} FROM console_users ORDER BY username`,
      );
      return rows.map((row) => toUser(row, secrets));
    },

    /** Disables the user and ends their sessions; false if already disabled or unknown. */
    async disableUser(id: string, now: number): Promise<boolean> {
      return sql.transaction(async (tx) => {
        const changed = await tx.run(
          'UPDATE console_users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL',
          [now, id],
        );
        await tx.run('DELETE FROM console_sessions WHERE user_id = ?', [id]);
        return changed === 1;
      });
    },

    /**
     * A new password hash; every other session of the user ends (a stolen session does not
     * outlive the change). Returns how many sessions ended.
     */
    async setPassword(
      change: { userId: string; passwordHash: string; keepSessionHash: string },
      q: SqlQueryable = sql,
    ): Promise<number> {
      await q.run('UPDATE console_users SET password_hash = ? WHERE id = ?', [
        change.passwordHash,
        change.userId,
      ]);
      return q.run('DELETE FROM console_sessions WHERE user_id = ? AND token_hash <> ?', [
        change.userId,
        change.keepSessionHash,
      ]);
    },

    /** Uses a TOTP step once: false if this step or a later one was used before. */
    async useTotpStep(userId: string, step: number): Promise<boolean> {
      const changed = await sql.run(
        `UPDATE console_users SET totp_last_step = ?
         WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)`,
        [step, userId, step],
      );
      return changed === 1;
    },

    async addSession(session: {
      tokenHash: string;
      userId: string;
      csrfToken: string;
      now: number;
    }): Promise<void> {
      await sql.run(
        `INSERT INTO console_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?)`,
        [session.tokenHash, session.userId, session.csrfToken, session.now, session.now],
      );
    },

    /** The session and its user, if the user is not disabled. */
    async session(tokenHash: string): Promise<SessionRecord | undefined> {
      const [row] = await sql.all<
        UserRow & {
          token_hash: string;
          csrf_token: string;
          s_created_at: number;
          last_seen_at: number;
        }
      >(
        `SELECT s.token_hash, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at,
           u.id, u.username, u.password_hash, u.role, u.totp_secret, u.totp_last_step,
           u.created_at, u.disabled_at
         FROM console_sessions s JOIN console_users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND u.disabled_at IS NULL`,
        [tokenHash],
      );
      return (
        row && {
          tokenHash: row.token_hash,
          csrfToken: row.csrf_token,
          createdAt: row.s_created_at,
          lastSeenAt: row.last_seen_at,
          user: toUser(row, secrets),
        }
      );
    },

    async touchSession(tokenHash: string, now: number): Promise<void> {
      await sql.run('UPDATE console_sessions SET last_seen_at = ? WHERE token_hash = ?', [
        now,
        tokenHash,
      ]);
    },

    async deleteSession(tokenHash: string): Promise<void> {
      await sql.run('DELETE FROM console_sessions WHERE token_hash = ?', [tokenHash]);
    },

    /** Removes sessions idle since `idleBefore` or created before `createdBefore`. */
    async pruneSessions(idleBefore: number, createdBefore: number): Promise<void> {
      await sql.run('DELETE FROM console_sessions WHERE last_seen_at < ? OR created_at < ?', [
        idleBefore,
        createdBefore,
      ]);
    },

    async failures(scope: string, since: number): Promise<number> {
      const [row] = await sql.all<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM console_login_failures WHERE scope = ? AND at >= ?',
        [scope, since],
      );
      return Number(row?.n ?? 0);
    },

    /** Records a failure for each scope and forgets failures older than `forgetBefore`. */
    async addFailure(scopes: readonly string[], now: number, forgetBefore: number): Promise<void> {
      await sql.transaction(async (tx) => {
        await tx.run('DELETE FROM console_login_failures WHERE at < ?', [forgetBefore]);
        for (const scope of scopes) {
          await tx.run('INSERT INTO console_login_failures (scope, at) VALUES (?, ?)', [
            scope,
            now,
          ]);
        }
      });
    },

    async clearFailures(scope: string): Promise<void> {
      await sql.run('DELETE FROM console_login_failures WHERE scope = ?', [scope]);
    },

    /** `q`: the caller's transaction, so the row commits with the action it records. */
    async addAudit(entry: Omit<AuditEntry, 'id'>, q: SqlQueryable = sql): Promise<void> {
      await q.run(
        `INSERT INTO console_audit (id, at, user_id, username, action, target, reason, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          randomUUID(),
          entry.at,
          entry.userId,
          entry.username,
          entry.action,
          entry.target,
          entry.reason,
          entry.details === null ? null : JSON.stringify(entry.details),
        ],
      );
    },

    /** References of the given items, for lists that hold only item ids. */
    async itemReferences(ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await sql.all<{ id: string; reference: string }>(
        `SELECT id, reference FROM items WHERE id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      return new Map(rows.map((row) => [row.id, row.reference]));
    },

    /**
     * Parked events per terminal, by device id (terminals without any left out): counted in
     * the database, so the overview does not read every parked payload.
     */
    /** Newest first; optionally only one target's (a terminal, an item, a user). */
    async audit(filter: {
      target?: string;
      action?: string;
      limit: number;
    }): Promise<AuditEntry[]> {
      const where = whereAll([
        ['target = ?', filter.target],
        ['action = ?', filter.action],
      ]);
      const rows = await sql.all<{
        id: string;
        at: number;
        user_id: string;
        username: string;
        action: string;
        target: string | null;
        reason: string | null;
        details: string | null;
      }>(
        `SELECT id, at, user_id, username, action, target, reason, details FROM console_audit
         ${where.sql}
         ORDER BY at DESC, id LIMIT ?`,
        [...where.params, filter.limit],
      );
      return rows.map((row) => ({
        id: row.id,
        at: row.at,
        userId: row.user_id,
        username: row.username,
        action: row.action,
        target: row.target,
        reason: row.reason,
        details: row.details === null ? null : (JSON.parse(row.details) as JsonObject),
      }));
    },
  };
}
