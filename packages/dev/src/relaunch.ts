/** Runs a command as a child process, passing on SIGINT and SIGTERM, and resolves with the exit status to end with. */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const FORWARDED = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `command args` as a child with this process's terminal and waits for it without
 * blocking the event loop: SIGINT and SIGTERM sent to this process are passed on to the
 * child, which decides what they mean. Resolves with the exit status to end with: the child's
 * code, or 128 + the signal's number when a signal ended it (130 for SIGINT, 143 for SIGTERM).
 */
export function relaunch(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const handlers = FORWARDED.map((signal) => {
      const forward = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      process.on(signal, forward);
      return () => process.off(signal, forward);
    });
    let settled = false;
    const finish = (status: number) => {
      if (settled) return;
      settled = true;
      for (const off of handlers) off();
      resolve(status);
    };
    child.on('error', (error) => {
      console.error(`could not start ${command}: ${error.message}`);
      finish(1);
    });
    child.on('close', (code, signal) => finish(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
  });
}
