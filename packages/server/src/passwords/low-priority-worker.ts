import { Worker } from "node:worker_threads";

/**
 * A worker thread for background CPU work that asks the OS for a lower scheduling priority
 * (nice +10) than the thread serving requests, so that when cores are scarce the scheduler lets
 * the event loop preempt it. Linux only: elsewhere the work still runs off the event loop, at
 * normal priority.
 *
 * `source` is CommonJS evaluated as the worker's script (no build step: it works from sources and
 * from dist alike); it sees `workerData` and `parentPort` from node:worker_threads.
 */
export function startLowPriorityWorker(source: string, workerData: unknown): Worker {
  return new Worker(`${LOWER_PRIORITY}\n${source}`, {
    eval: true,
    workerData,
    // Not the parent's flags: a loader or --input-type=module would break a CommonJS script.
    execArgv: [],
  });
}

const LOWER_PRIORITY = `
try {
  // /proc/thread-self names this thread's id; setpriority on a thread id affects that thread only.
  require("node:os").setPriority(
    Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop()),
    10,
  );
} catch {}
const { parentPort, workerData } = require("node:worker_threads");
`;
