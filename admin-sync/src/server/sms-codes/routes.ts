/** The terminal's routes of SMS codes (signed, each for the device that signed it). */
import type { Logger } from '@amtomat/basics';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  routes,
  SmsChallengeIdSchema,
  SmsCodeRequestSchema,
  SmsCodeVerifyRequestSchema,
  type SmsSendRefused,
} from '../../protocol/index.ts';
import type { SmsCodeService } from './sms-codes.ts';

type Signed = (
  handler: (request: FastifyRequest, reply: FastifyReply, deviceId: string) => unknown,
) => (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const ChallengeParamsSchema = z.object({ challengeId: SmsChallengeIdSchema });

const STATUS: Record<SmsSendRefused['refused'], number> = {
  'rate-limited': 429,
  'too-soon': 429,
  'resend-limit': 429,
  expired: 410,
  unavailable: 503,
};

export function registerSmsCodeRoutes(
  app: FastifyInstance,
  deps: {
    service: SmsCodeService;
    signed: Signed;
    now: () => number;
    logger: Logger;
    invalid: (reply: FastifyReply, error: z.ZodError) => unknown;
  },
) {
  const { service, signed, now, logger, invalid } = deps;
  const answerSent = async (
    reply: FastifyReply,
    deviceId: string,
    sent: Awaited<ReturnType<SmsCodeService['request']>>,
  ) => {
    if (sent.ok) {
      logger.log('info', 'fleet.sms-code-sent', { device: deviceId });
      return reply.code(201).send(sent.value);
    }
    const { reason, ...refused } = sent.error;
    logger.log('warn', 'fleet.sms-code-refused', {
      device: deviceId,
      refused: refused.refused,
      ...(reason !== undefined && { reason }),
    });
    return reply.code(STATUS[refused.refused]).send(refused);
  };

  app.post(
    routes.smsCodes,
    signed(async (request, reply, deviceId) => {
      const body = SmsCodeRequestSchema.safeParse(request.body);
      if (!body.success) return invalid(reply, body.error);
      return answerSent(reply, deviceId, await service.request(deviceId, body.data, now()));
    }),
  );

  app.post(
    routes.smsCodeResend,
    signed(async (request, reply, deviceId) => {
      const params = ChallengeParamsSchema.safeParse(request.params);
      if (!params.success) return invalid(reply, params.error);
      const body = SmsCodeRequestSchema.safeParse(request.body);
      if (!body.success) return invalid(reply, body.error);
      const sent = await service.resend(deviceId, params.data.challengeId, body.data, now());
      return answerSent(reply, deviceId, sent);
    }),
  );

  app.post(
    routes.smsCodeVerify,
    signed(async (request, reply, deviceId) => {
      const params = ChallengeParamsSchema.safeParse(request.params);
      if (!params.success) return invalid(reply, params.error);
      const body = SmsCodeVerifyRequestSchema.safeParse(request.body);
      if (!body.success) return invalid(reply, body.error);
      const checked = await service.verify(
        deviceId,
        params.data.challengeId,
        body.data.code,
        now(),
      );
      logger.log('info', 'fleet.sms-code-checked', { device: deviceId, result: checked.result });
      return checked;
    }),
  );
}
