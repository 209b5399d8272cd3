/**
 * The fleet server's HTTP API (fastify): enrolment, push, pull, ack, status and /healthz. Request
 * bodies are validated with the protocol's zod schemas; every device route is signed
 * (auth.ts) and serves only the device that signed it.
 */

import { type Clock, type Logger, silentLogger, systemClock } from '@amtomat/basics';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { z } from 'zod';
import {
  AckRequestSchema,
  API_VERSION,
  clockHeaders,
  DeviceIdSchema,
  EnrolRequestSchema,
  type ErrorReply,
  type Health,
  MAX_CLOCK_SKEW_MS,
  PullQuerySchema,
  PushRequestSchema,
  routes,
  TerminalStatusSchema,
} from '../protocol/index.ts';
import { type EventHandler, eventApplier } from './apply.ts';
import { authenticator } from './auth.ts';
import { enrolDevice } from './enrolment.ts';
import { notificationCounts } from './notifications/queue.ts';
import { registerSmsCodeRoutes } from './sms-codes/routes.ts';
import { type SmsCodeService, smsCodeService } from './sms-codes/sms-codes.ts';
import type { FleetStorage } from './storage/storage.ts';

export interface FleetServerOptions {
  storage: FleetStorage;
  clock?: Pick<Clock, 'now'>;
  logger?: Logger;
  /** Event handlers by type; default `defaultHandlers`. */
  handlers?: Readonly<Record<string, EventHandler>>;
  maxClockSkewMs?: number;
  /** Largest accepted body in bytes; a full push batch stays well below the default 4 MiB. */
  bodyLimit?: number;
  /** SMS codes of applications; default: none can be sent (no SMS gateway). */
  smsCodes?: SmsCodeService;
}

const DeviceParamsSchema = z.object({ deviceId: DeviceIdSchema });

const invalid = (reply: FastifyReply, error: z.ZodError) =>
  reply.code(400).send({
    error: 'invalid-request',
    message: z.prettifyError(error),
  } satisfies ErrorReply);

const httpError = (message: string, statusCode: number) =>
  Object.assign(new Error(message), { statusCode });

export function createFleetServer(options: FleetServerOptions): FastifyInstance {
  const { storage } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const maxClockSkewMs = options.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS;
  const apply = eventApplier(options.handlers);
  const authenticate = authenticator({ storage, maxClockSkewMs });

  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? 4 * 1024 * 1024,
    // close() ends keep-alive connections too: a stop never waits on an idle terminal's socket.
    forceCloseConnections: true,
  });

  // The signature covers the exact bytes, so the JSON parser keeps them.
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    rawBodies.set(request, bytes);
    try {
      done(null, JSON.parse(bytes.toString('utf8')));
    } catch {
      done(httpError('body is not valid JSON', 400), undefined);
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) {
      return reply
        .code(status)
        .send({ error: 'invalid-request', message: error.message } satisfies ErrorReply);
    }
    logger.log('error', 'fleet.http-error', {
      route: request.routeOptions.url,
      error: error.message,
    });
    return reply
      .code(500)
      .send({ error: 'internal', message: 'internal error' } satisfies ErrorReply);
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: 'not-found', message: 'no such route' } satisfies ErrorReply),
  );
  app.addHook('onResponse', async (request, reply) => {
    logger.log('info', 'fleet.request', {
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });

  /** Wraps a device route: authenticated, and only for the device in the path. */
  const signed =
    (handler: (request: FastifyRequest, reply: FastifyReply, deviceId: string) => unknown) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const now = clock.now();
      reply.header(clockHeaders.serverTime, String(now));
      const auth = await authenticate(
        {
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: rawBodies.get(request) ?? Buffer.alloc(0),
        },
        now,
      );
      if (!auth.ok) {
        logger.log('warn', 'fleet.auth-refused', { reason: auth.error.reply.error });
        return reply.code(auth.error.status).send(auth.error.reply);
      }
      reply.header(clockHeaders.skew, String(auth.value.skewMs));
      const params = DeviceParamsSchema.safeParse(request.params);
      if (!params.success || params.data.deviceId !== auth.value.deviceId) {
        logger.log('warn', 'fleet.wrong-device', { device: auth.value.deviceId });
        return reply.code(403).send({
          error: 'wrong-device',
          message: 'a device may use only its own routes',
        } satisfies ErrorReply);
      }
      return handler(request, reply, auth.value.deviceId);
    };

  app.get(routes.healthz, async (_request, reply) => {
    try {
      await storage.ping();
    } catch {
      return reply
        .code(503)
        .send({ error: 'internal', message: 'storage unavailable' } satisfies ErrorReply);
    }
    const { pending, failed } = await notificationCounts(storage);
    return {
      status: 'ok',
      api: API_VERSION,
      storage: storage.kind,
      serverTime: clock.now(),
      notices: { pending, failed },
      parkedEvents: [...(await storage.parkedCounts()).values()].reduce((a, b) => a + b, 0),
    } satisfies Health;
  });

  app.post(routes.enrol, async (request, reply) => {
    const body = EnrolRequestSchema.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    const enrolled = await enrolDevice(storage, body.data, clock.now());
    if (!enrolled.ok) {
      logger.log('warn', 'fleet.enrol-refused', { reason: enrolled.error });
      return reply.code(enrolled.error === 'bad-proof' ? 400 : 401).send({
        error: enrolled.error === 'bad-proof' ? 'invalid-request' : 'invalid-token',
        message:
          enrolled.error === 'bad-proof'
            ? 'proof does not match the public key'
            : 'token is unknown, used or expired',
      } satisfies ErrorReply);
    }
    logger.log('info', 'fleet.device-enrolled', { device: enrolled.value.deviceId });
    return reply.code(201).send(enrolled.value);
  });

  app.post(
    routes.events,
    signed(async (request, reply, deviceId) => {
      const body = PushRequestSchema.safeParse(request.body);
      if (!body.success) return invalid(reply, body.error);
      if (body.data.events.some((event) => event.deviceId !== deviceId)) {
        return reply.code(403).send({
          error: 'wrong-device',
          message: 'every event must carry the sending device id',
        } satisfies ErrorReply);
      }
      const results = await storage.recordEvents(deviceId, body.data.events, apply, clock.now());
      for (const result of results) {
        if (result.status === 'parked' || result.status === 'conflict') {
          logger.log('warn', `fleet.event-${result.status}`, {
            device: deviceId,
            seq: result.seq,
            reason: result.reason,
          });
        }
      }
      const conflict = results.some((result) => result.status === 'conflict');
      return reply.code(conflict ? 422 : 200).send({ results });
    }),
  );

  app.get(
    routes.feed,
    signed(async (request, reply, deviceId) => {
      const query = PullQuerySchema.safeParse(request.query);
      if (!query.success) return invalid(reply, query.error);
      return storage.feed(deviceId, query.data.after, query.data.limit);
    }),
  );

  app.post(
    routes.feedAck,
    signed(async (request, reply, deviceId) => {
      const body = AckRequestSchema.safeParse(request.body);
      if (!body.success) return invalid(reply, body.error);
      const acked = await storage.ackFeed(deviceId, body.data.cursor);
      if (!acked.ok) {
        return reply.code(409).send({
          error: 'cursor-ahead',
          message: 'cursor is past the feed head',
        } satisfies ErrorReply);
      }
      return { acked: acked.value };
    }),
  );

  app.post(
    routes.status,
    signed(async (request, reply, deviceId) => {
      const body = TerminalStatusSchema.safeParse(request.body);
      if (!body.success) return invalid(reply, body.error);
      await storage.setDeviceStatus(deviceId, body.data, clock.now());
      return reply.code(204).send();
    }),
  );

  registerSmsCodeRoutes(app, {
    service:
      options.smsCodes ?? smsCodeService({ storage, channel: undefined, senderName: 'Amt-O-Mat' }),
    signed,
    now: () => clock.now(),
    logger,
    invalid,
  });

  return app;
}
