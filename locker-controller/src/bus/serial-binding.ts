/**
 * The OS serial binding of `serialport`, with one fix: on Linux and macOS a read of zero
 * bytes ends the port as a disconnect.
 *
 * A pulled USB adapter hangs its tty up (so does a pseudo-terminal whose other side is gone),
 * and a hung-up tty reads 0 bytes, end of file, for ever. bindings-cpp 13 reads again at once
 * on 0 bytes (serialport/bindings-cpp#162, fix #164 not merged): the read spins a CPU, fills
 * memory, and the loss is never reported, so the bus never reopens. Whether a pulled adapter
 * reads EIO (reported) or 0 (the spin) is a race in the kernel; tests saw both.
 */
import { read } from 'node:fs';
import { promisify } from 'node:util';
import {
  autoDetect,
  type LinuxBindingInterface,
  type LinuxOpenOptions,
  type LinuxPortBinding,
} from '@serialport/bindings-cpp';
import { unixRead } from '@serialport/bindings-cpp/dist/unix-read.js';

const readAsync = promisify(read);

/** `fs.read` for the binding's read loop: end of file is the line hung up, not "no data yet". */
async function readOrHangUp(...args: Parameters<typeof readAsync>) {
  const result = await readAsync(...args);
  if (result.bytesRead === 0) {
    // Not EAGAIN and not `canceled`: the stream closes the port as disconnected.
    throw Object.assign(new Error('the line hung up (adapter unplugged)'), { code: 'EIO' });
  }
  return result;
}

// Typed as Linux's: the fix is for the unix bindings; on Windows `open` passes through.
const detected = autoDetect() as LinuxBindingInterface;

export const hangUpAwareBinding: LinuxBindingInterface = {
  ...detected,
  async open(options: LinuxOpenOptions) {
    const port = await detected.open(options);
    if (!('poller' in port)) return port; // Windows: no unix read loop to mend
    // Linux and Darwin ports share the unix read loop; the Linux type stands for both.
    const unixPort: LinuxPortBinding = port;
    unixPort.read = async (buffer, offset, length) => {
      if (!unixPort.isOpen) throw new Error('Port is not open');
      return unixRead({ binding: unixPort, buffer, offset, length, fsReadAsync: readOrHangUp });
    };
    return port;
  },
};
