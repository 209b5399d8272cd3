/**
 * The lock boards as the wizard meets them: adapters by their stable /dev/serial/by-id
 * names, the protocol and baud rate they answer on, the boards behind each, and a locker
 * over them that opens one lock at a time with the kiosk's own confirmation logic.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { err, ok, type Result } from '@amtomat/basics';
import {
  type Bus,
  type CompartmentConfig,
  createBus,
  createLocker,
  type Locker,
  serialTransport,
  type TransportError,
} from '@amtomat/locker-controller';
import { PROTOCOL_IDS, PROTOCOLS, type ProtocolId } from '@amtomat/locker-controller/protocols';
import { t } from './i18n.ts';

export const SERIAL_BY_ID = '/dev/serial/by-id';

/** Every adapter in `dir` (its stable name), then the paths given by flag. */
export function findAdapters(dir: string, given: readonly string[]): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    // No folder: no USB-serial adapter is plugged in (udev creates it with the first one).
  }
  return [...new Set([...names.map((name) => join(dir, name)), ...given])];
}

export interface ProbedBus {
  path: string;
  protocol: ProtocolId;
  baud: number;
  boards: number[];
}

/**
 * Short, because most addresses of a bus are empty and each silent one costs this; one
 * retry, so a board that answers late once (a busy machine, a noisy line) is not missed.
 */
const PROBE = { timeoutMs: 150, retries: 1 } as const;

async function answeringBoards(bus: Bus, path: string): Promise<Result<number[], string>> {
  const boards: number[] = [];
  for (let board = bus.protocol.minBoard; board <= bus.protocol.maxBoard; board++) {
    const status = await bus.request(
      { kind: 'status', board },
      (reply) => (reply.kind === 'status' && reply.status.board === board ? true : undefined),
      PROBE,
    );
    if (status.ok) boards.push(board);
    else if (status.error.kind === 'port-closed')
      return err(t('hardware.adapterWentAway', { path }));
  }
  return ok(boards);
}

/**
 * Tries the protocols (the usual one first) at each of their baud rates until boards
 * answer. `only` narrows it when the installer knows.
 */
export async function probeAdapter(
  path: string,
  only: { protocol?: ProtocolId; baud?: number },
): Promise<Result<ProbedBus | undefined, string>> {
  const protocols = only.protocol ? [only.protocol] : PROTOCOL_IDS;
  for (const id of protocols) {
    const protocol = PROTOCOLS[id];
    const bauds = only.baud ? [only.baud] : [protocol.defaultBaud, ...protocol.bauds];
    const transport = serialTransport(path, bauds[0]!);
    const bus = createBus({ protocol, transport, reopen: false });
    const opened = await bus.open();
    if (!opened.ok) return err(transportError(opened.error));
    try {
      for (const baud of new Set(bauds)) {
        const changed = await bus.setBaud(baud);
        if (!changed.ok) return err(transportError(changed.error));
        const boards = await answeringBoards(bus, path);
        if (!boards.ok) return err(boards.error);
        if (boards.value.length > 0) return ok({ path, protocol: id, baud, boards: boards.value });
      }
    } finally {
      await bus.close();
    }
  }
  return ok(undefined);
}

/** A transport failure in one line, in the installer's language. */
function transportError(error: TransportError): string {
  return error.kind === 'io'
    ? t('hardware.io', { target: error.target, message: error.message })
    : t(`hardware.${error.kind}`, { target: error.target });
}

export interface WalkBus {
  id: string;
  path: string;
  protocol: ProtocolId;
  baud: number;
  boards: { board: number; locks?: number | undefined }[];
}

/** The name the walk's locker knows a lock by. */
export const lockName = (bus: string, board: number, lock: number) => `${bus}:${board}/${lock}`;

/** A locker over every lock in use, to open them one by one and watch doors and sensors. */
export function walkLocker(buses: readonly WalkBus[]): Locker {
  const compartments: CompartmentConfig[] = buses.flatMap((bus) =>
    bus.boards.flatMap(({ board, locks }) =>
      Array.from({ length: locks ?? 0 }, (_, i) => ({
        label: lockName(bus.id, board, i + 1),
        size: 'M' as const,
        bus: bus.id,
        board,
        lock: i + 1,
        polarity: 'normal' as const,
        hasItemSensor: PROTOCOLS[bus.protocol].hasItemSensors,
      })),
    ),
  );
  return createLocker({
    buses: buses.map((bus) => ({
      id: bus.id,
      protocol: bus.protocol,
      transport: { kind: 'serial', path: bus.path, baud: bus.baud },
    })),
    compartments,
  });
}
