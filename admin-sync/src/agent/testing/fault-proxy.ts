/**
 * A TCP proxy (node:net) between agent and server that misbehaves per HTTP request (a
 * chunk from the agent starting with a method starts one; fetch keeps connections alive):
 * - `clean`: forwarded as it is;
 * - `cut`: forwards the request, then half of the first reply chunk, then closes both
 *   sides — the server did the work, the agent never learns the outcome;
 * - `duplicate`: the request's bytes go to the server twice, the copy first, over a second
 *   connection whose replies are dropped; the original follows a few ms later (the server
 *   refuses it as a replay, so the agent sends again);
 * - `drop`: the request is swallowed, never forwarded; the agent's connection is closed
 *   after a short delay, or (a `hangShare` of drops) left open until the agent's request
 *   timeout gives up on it;
 * - `delay`: forwarded after a delay, and its reply delayed again (each `delayMs`);
 * - `reorder`: the request is held, not forwarded, and the agent's connection closed (to
 *   the agent, a request lost on the way). The held bytes go to the server later, over a
 *   connection of their own, once the server has answered `holdFor` later requests (or
 *   after `maxHoldMs`); their reply goes nowhere but `lateReplies`.
 *
 * About `reorder`, honestly: the agent sends one request at a time and waits for its answer,
 * so two live requests of the agent cannot be swapped. What can happen on a real network is
 * that a request the agent gave up on arrives late, after its re-send and newer requests:
 * that is what `reorder` produces. The late request is the original (unused nonce, fresh
 * timestamp), so the server authenticates and processes it: a late push is answered with
 * `duplicate`s, a late ack is behind the acknowledged cursor, a late status report is
 * stored over the newer one (network-faults.test.ts has that as a todo). (A late copy of a
 * request that was delivered would only test the nonce check: `duplicate` does that.)
 *
 * Randomness (delays, hang or close, how long to hold) comes from `options.random`, so a
 * seeded generator reproduces the proxy's choices; the plan picks each request's fault.
 */
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Fault = 'clean' | 'cut' | 'duplicate' | 'drop' | 'delay' | 'reorder';

export interface Range {
  min: number;
  max: number;
}

export interface FaultProxyOptions {
  /** The proxy's own choices; default Math.random. */
  random?: () => number;
  /** `delay`: the request, then the reply, each delayed by this much (ms). */
  delayMs?: Range;
  /** `drop`: the share of drops left hanging; the others are closed after `dropCloseMs`. */
  hangShare?: number;
  dropCloseMs?: Range;
  /** `reorder`: how many later requests the server answers before the held one goes. */
  holdFor?: Range;
  /** `reorder`: a held request goes at the latest after this long. */
  maxHoldMs?: number;
}

export interface FaultProxy {
  readonly port: number;
  readonly stats: Record<Fault, number>;
  /** The status of the server's reply to each late (reordered) request, as they came. */
  readonly lateReplies: readonly number[];
  /** Sends every held request now and waits until the server answered each late one. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

interface Held {
  bytes: Buffer;
  /** Sent once `answered` reaches this. */
  after: number;
  timer: NodeJS.Timeout;
}

const REQUEST_START = /^(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) \//;
const HEADER_END = Buffer.from('\r\n\r\n');
/** A held request's connection is closed this long after its last byte came in. */
const HOLD_CLOSE_MS = 10;
const LATE_REPLY_TIMEOUT_MS = 10_000;

/** Whether `bytes` hold one whole HTTP/1.1 message (fetch and fastify send lengths). */
function messageComplete(bytes: Buffer): boolean {
  const end = bytes.indexOf(HEADER_END);
  if (end < 0) return false;
  const head = bytes.subarray(0, end).toString('latin1');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return bytes.length >= end + HEADER_END.length + Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    return bytes.subarray(-5).toString('latin1') === '0\r\n\r\n';
  }
  return true;
}

const statusOf = (reply: Buffer) =>
  Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply.toString('latin1', 0, 16))?.[1] ?? 0);

export async function startFaultProxy(
  targetPort: number,
  plan: (request: number) => Fault,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const random = options.random ?? Math.random;
  const between = ({ min, max }: Range) => min + Math.floor(random() * (max - min + 1));
  const delayMs = options.delayMs ?? { min: 100, max: 400 };
  const hangShare = options.hangShare ?? 0.5;
  const dropCloseMs = options.dropCloseMs ?? { min: 10, max: 200 };
  const holdFor = options.holdFor ?? { min: 1, max: 3 };
  const maxHoldMs = options.maxHoldMs ?? 2_000;

  const sockets = new Set<Socket>();
  const stats: Record<Fault, number> = {
    clean: 0,
    cut: 0,
    duplicate: 0,
    drop: 0,
    delay: 0,
    reorder: 0,
  };
  const lateReplies: number[] = [];
  const held: Held[] = [];
  const late = new Set<Promise<void>>();
  let requests = 0;
  /** Requests whose reply has begun to come back from the server. */
  let answered = 0;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  };
  const toServer = () => track(connect(targetPort, '127.0.0.1'));

  /** A held request, sent at last over a connection of its own. */
  const sendLate = (bytes: Buffer) => {
    const done = new Promise<void>((resolve) => {
      const socket = toServer();
      let reply = Buffer.alloc(0);
      const timer = setTimeout(() => socket.destroy(), LATE_REPLY_TIMEOUT_MS);
      socket.on('data', (chunk: Buffer) => {
        reply = Buffer.concat([reply, chunk]);
        if (!messageComplete(reply)) return;
        lateReplies.push(statusOf(reply));
        socket.destroy();
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.write(bytes);
    });
    late.add(done);
    void done.then(() => late.delete(done));
  };

  const release = (entry: Held) => {
    const index = held.indexOf(entry);
    if (index < 0) return;
    held.splice(index, 1);
    clearTimeout(entry.timer);
    sendLate(entry.bytes);
  };
  const releaseDue = () => {
    for (const entry of held.filter((entry) => answered >= entry.after)) release(entry);
  };
  const hold = (bytes: Buffer) => {
    const entry: Held = {
      bytes,
      after: answered + between(holdFor),
      timer: setTimeout(() => release(entry), maxHoldMs),
    };
    held.push(entry);
  };

  const server = createServer((client) => {
    track(client);
    const upstream = toServer();
    let copy: Socket | undefined;
    let fault: Fault = 'clean';
    let holding: Buffer[] = [];
    let replyDelayMs = 0;
    let replyStarted = false;
    let cut = false;
    // Keep each direction's bytes in order while some of them wait.
    let upstreamWrites = Promise.resolve();
    let clientWrites = Promise.resolve();
    const closeAll = () => {
      client.destroy();
      upstream.destroy();
      copy?.destroy();
    };
    const forward = (chunk: Buffer, waitMs = 0) => {
      upstreamWrites = upstreamWrites
        .then(() => (waitMs > 0 ? sleep(waitMs) : undefined))
        .then(() => void (upstream.destroyed || upstream.write(chunk)));
    };
    const reply = (chunk: Buffer, waitMs = 0) => {
      clientWrites = clientWrites
        .then(() => (waitMs > 0 ? sleep(waitMs) : undefined))
        .then(() => void (client.destroyed || client.write(chunk)));
    };

    const begin = () => {
      fault = plan(++requests);
      stats[fault]++;
      replyStarted = false;
      replyDelayMs = 0;
      if (fault === 'delay') {
        const requestDelayMs = between(delayMs);
        upstreamWrites = upstreamWrites.then(() => sleep(requestDelayMs));
        replyDelayMs = between(delayMs);
      } else if (fault === 'drop' && random() >= hangShare) {
        setTimeout(closeAll, between(dropCloseMs));
      } else if (fault === 'reorder') {
        holding = [];
      }
    };

    client.on('data', (chunk: Buffer) => {
      if (REQUEST_START.test(chunk.subarray(0, 10).toString('latin1'))) begin();
      if (fault === 'drop') return;
      if (fault === 'reorder') {
        holding.push(chunk);
        const bytes = Buffer.concat(holding);
        if (!messageComplete(bytes)) return;
        hold(bytes);
        setTimeout(closeAll, HOLD_CLOSE_MS);
        return;
      }
      if (fault === 'duplicate') {
        copy ??= toServer().resume(); // its replies go nowhere
        copy.write(chunk);
        return forward(chunk, 5);
      }
      forward(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!replyStarted) {
        replyStarted = true;
        answered++;
        releaseDue();
      }
      if (cut) return;
      if (fault === 'cut') {
        cut = true;
        const half = chunk.subarray(0, Math.max(1, chunk.length >> 1));
        clientWrites = clientWrites.then(
          () => void (client.destroyed || client.write(half, closeAll)),
        );
        return;
      }
      const waitMs = replyDelayMs;
      replyDelayMs = 0;
      reply(chunk, waitMs);
    });
    client.on('close', closeAll);
    upstream.on('close', closeAll);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stats,
    lateReplies,
    async settle() {
      for (const entry of [...held]) release(entry);
      await Promise.all([...late]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const entry of held.splice(0)) clearTimeout(entry.timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
