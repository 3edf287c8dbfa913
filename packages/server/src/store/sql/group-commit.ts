import { CompiledQuery, type Kysely, type Transaction } from "kysely";

/**
 * Runs the jobs submitted during one turn of the event loop in a single transaction (group
 * commit), each inside its own savepoint.
 *
 * Why: on SQLite every commit appends each page it changed to the WAL, and about every 1,000 pages
 * the committing request also pays for a checkpoint (copying pages back, two fsyncs). Concurrent
 * refreshes change the same few pages (a sessions leaf, the tail of the audit table), so committed
 * together they write each page once: fewer WAL frames, fewer checkpoints, a shorter tail.
 * A job that throws is rolled back to its savepoint and only its caller sees the error; if the
 * commit itself fails, every job of the batch fails with it (and none of them was written).
 *
 * For a database with one connection, where commits are serialized anyway (SQLite). With a pool
 * (PostgreSQL) separate transactions run in parallel and the server groups their commits itself.
 */
export class GroupCommit<DB, Job, Result> {
  private pending: Pending<Job, Result>[] = [];

  constructor(
    private readonly db: Kysely<DB>,
    private readonly runJob: (trx: Transaction<DB>, job: Job) => Promise<Result>,
  ) {}

  submit(job: Job): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      // setImmediate runs after the poll phase: every request already read this turn gets in.
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ job, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const outcomes: Outcome<Result>[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const { job } of batch) outcomes.push(await this.inSavepoint(trx, job));
      });
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ resolve, reject }, index) => {
      const outcome = outcomes[index]!;
      if ("error" in outcome) reject(outcome.error);
      else resolve(outcome.value);
    });
  }

  private async inSavepoint(trx: Transaction<DB>, job: Job): Promise<Outcome<Result>> {
    await trx.executeQuery(SAVEPOINT);
    try {
      const value = await this.runJob(trx, job);
      await trx.executeQuery(RELEASE);
      return { value };
    } catch (error) {
      await trx.executeQuery(ROLLBACK_TO);
      await trx.executeQuery(RELEASE);
      return { error };
    }
  }
}

interface Pending<Job, Result> {
  job: Job;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

type Outcome<Result> = { value: Result } | { error: unknown };

const SAVEPOINT = CompiledQuery.raw("savepoint group_commit_job");
const RELEASE = CompiledQuery.raw("release savepoint group_commit_job");
const ROLLBACK_TO = CompiledQuery.raw("rollback to savepoint group_commit_job");
