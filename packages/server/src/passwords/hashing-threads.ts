import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { startLowPriorityWorker } from "./low-priority-worker.js";

export type HashingJob =
  | { op: "argon2-hash"; password: string; options: Record<string, number> }
  | { op: "argon2-verify"; hash: string; password: string }
  | { op: "bcrypt-verify"; hash: string; password: string };

/**
 * Runs password hashing on a few worker threads at a lower scheduling priority than the thread
 * serving requests (see low-priority-worker.ts).
 *
 * Why: argon2id is memory-hard on purpose, about 10–20 ms of CPU per login. On libuv's thread pool
 * it competes as an equal with the event loop whenever cores are scarce (a one-CPU container, a
 * busy host), and every authenticated request waits behind it. At lower priority the scheduler
 * lets a request preempt a hash: logins get slower under load, everything else does not.
 * Where the priority cannot be changed (not Linux), hashing still runs off the event loop.
 */
export class HashingThreads {
  private readonly idle: Worker[] = [];
  private readonly queue: { job: HashingJob; settle: Settle }[] = [];
  private readonly running = new Map<Worker, Settle>();
  /** Every live thread, idle or running. */
  private readonly threads = new Set<Worker>();
  private closed = false;

  constructor(private readonly size = defaultSize()) {}

  run<T extends string | boolean>(job: HashingJob): Promise<T> {
    if (this.closed) return Promise.reject(new Error("Password hashing has been shut down"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, settle: { resolve: resolve as (v: unknown) => void, reject } });
      this.dispatch();
    });
  }

  /** Stops the threads; jobs still waiting are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const { settle } of this.queue.splice(0))
      settle.reject(new Error("Password hashing has been shut down"));
    await Promise.all([...this.threads].map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? this.spawn();
      if (worker === undefined) return;
      const { job, settle } = this.queue.shift()!;
      this.running.set(worker, settle);
      worker.ref();
      worker.postMessage(job);
    }
  }

  private spawn(): Worker | undefined {
    if (this.threads.size >= this.size) return undefined;
    const worker = startLowPriorityWorker(WORKER_SOURCE, {
      argon2: resolve("@node-rs/argon2"),
      bcrypt: resolve("@node-rs/bcrypt"),
    });
    this.threads.add(worker);
    worker.on(
      "message",
      (reply: { ok: true; value: string | boolean } | { ok: false; error: string }) => {
        const settle = this.running.get(worker);
        this.running.delete(worker);
        worker.unref(); // an idle thread must not keep the process alive
        this.idle.push(worker);
        if (reply.ok) settle?.resolve(reply.value);
        else settle?.reject(new Error(reply.error));
        this.dispatch();
      },
    );
    worker.on("error", (error) => this.lose(worker, error));
    worker.on("exit", () => this.lose(worker, new Error("Password hashing thread exited")));
    return worker;
  }

  /** A thread that died fails its job; a new one takes its place on demand. */
  private lose(worker: Worker, error: Error): void {
    if (!this.threads.delete(worker)) return; // "error" and then "exit": already handled
    const settle = this.running.get(worker);
    this.running.delete(worker);
    const index = this.idle.indexOf(worker);
    if (index !== -1) this.idle.splice(index, 1);
    settle?.reject(error);
    if (!this.closed) this.dispatch();
  }
}

interface Settle {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

const resolve = createRequire(import.meta.url).resolve;

/** As many threads as cores, at most 4 (each argon2id hash holds 19 MiB while it runs). */
function defaultSize(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

const WORKER_SOURCE = `
const argon2 = require(workerData.argon2);
const bcrypt = require(workerData.bcrypt);
parentPort.on("message", (job) => {
  try {
    const value =
      job.op === "argon2-hash" ? argon2.hashSync(job.password, job.options)
      : job.op === "argon2-verify" ? argon2.verifySync(job.hash, job.password)
      : bcrypt.verifySync(job.password, job.hash);
    parentPort.postMessage({ ok: true, value });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message || error) });
  }
});
`;
