/** Adding a console user: shared by the CLI (`add-user`) and the admins' users page. */

import { err, ok, type Result } from '@amtomat/basics';
import { z } from 'zod';
import { normalizeUsername } from './auth.ts';
import {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  type ScryptCost,
} from './passwords.ts';
import { type ConsoleStore, type ConsoleUser, RoleSchema } from './store.ts';
import { newTotpSecret, totpUri } from './totp.ts';

export const NewUserSchema = z.object({
  username: z
    .string()
    .transform(normalizeUsername)
    .pipe(z.string().regex(/^[a-z0-9][a-z0-9._-]{1,49}$/)),
  role: z.string().pipe(RoleSchema),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH),
  totp: z.boolean().default(false),
});
export type NewUser = z.input<typeof NewUserSchema>;

export type AddUserError = {
  field: 'username' | 'role' | 'password';
  problem: 'invalid' | 'taken';
};

export async function addUser(
  store: ConsoleStore,
  input: NewUser,
  now: number,
  cost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<Result<{ user: ConsoleUser; totpUri: string | null }, AddUserError[]>> {
  const parsed = NewUserSchema.safeParse(input);
  if (!parsed.success) {
    const fields = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
    return err(
      (['username', 'role', 'password'] as const)
        .filter((field) => fields.has(field))
        .map((field) => ({ field, problem: 'invalid' as const })),
    );
  }
  const { username, role, password, totp } = parsed.data;
  const totpSecret = totp ? newTotpSecret() : null;
  const user = await store.addUser({
    username,
    role,
    passwordHash: await hashPassword(password, cost),
    totpSecret,
    now,
  });
  if (user === 'username-taken') return err([{ field: 'username', problem: 'taken' }]);
  return ok({ user, totpUri: totpSecret ? totpUri(totpSecret, username) : null });
}
