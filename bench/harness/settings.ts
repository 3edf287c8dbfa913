// What a bench run measures with, read once from the environment (see `npm run bench -- --help`).
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

/** The repository root: servers and the load generator run from here. */
export const root = fileURLToPath(new URL("../..", import.meta.url));
/** Seconds per measured run (BENCH_DURATION). */
export const DURATION = Number(process.env.BENCH_DURATION ?? 5);
/** Repetitions of the runs behind the targets (BENCH_RUNS); the least disturbed one is kept. */
export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
/** Server on core 0, load generator on core 1, when `taskset` and 2+ cores allow (BENCH_PIN=0: off). */
export const PIN =
  process.env.BENCH_PIN !== "0" && cpus().length >= 2 && existsSync("/usr/bin/taskset");
export const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Progress goes to stderr: stdout carries the result tables. */
export const log = (text: string) => process.stderr.write(`${text}\n`);
/** Redis for the two-instance figures (BENCH_REDIS_URL). */
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
