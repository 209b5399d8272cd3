import { z } from 'zod';
import { CodeKeySchema } from './codes.ts';
import { DeviceIdSchema, PublicKeySchema } from './signing.ts';

/** 32 random bytes, base64url: shown once to the installer, stored by the server as a hash. */
export const EnrolmentTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'enrolment token');

/**
 * A terminal trades a one-time token for a device id; the server keeps its public key. The
 * same token with the same public key is answered with the same device id again, so a
 * terminal whose first answer was lost can ask again.
 */
export const EnrolRequestSchema = z
  .object({
    token: EnrolmentTokenSchema,
    publicKey: PublicKeySchema,
    /** `signEnrolment(token, keys)`: the terminal holds the private key. */
    proof: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'base64url signature'),
    /**
     * The terminal's code key (codes.ts): the server hashes the codes and second factors it
     * announces to this terminal with it. Travels once, in this request (HTTPS).
     */
    codeKey: CodeKeySchema,
    /** Free text for the console, e.g. the site name. */
    label: z.string().min(1).max(100).optional(),
  })
  .strict();
export type EnrolRequest = z.infer<typeof EnrolRequestSchema>;

export const EnrolResponseSchema = z.object({
  deviceId: DeviceIdSchema,
  serverTime: z.number().int(),
});
export type EnrolResponse = z.infer<typeof EnrolResponseSchema>;
