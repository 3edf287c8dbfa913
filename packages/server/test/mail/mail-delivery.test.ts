import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MailDeliveryWorker, type DeliveryWorkerOptions } from "../../src/mail/delivery-worker.js";
import { DevelopmentInbox } from "../../src/mail/development-inbox.js";
import { html } from "../../src/mail/html.js";
import { resolveMailOptions } from "../../src/config/mail-options.js";
import type { MailTemplate } from "../../src/mail/mail-template.js";
import { Mailer } from "../../src/mail/mailer.js";
import { Metrics } from "../../src/metrics/metrics.js";
import { SmtpTransport } from "../../src/smtp/smtp-transport.js";
import { openPostgresStore } from "../../src/store/sql/postgres.js";
import type { SqlStore } from "../../src/store/sql/sql-store.js";
import { openSqliteStore } from "../../src/store/sql/sqlite.js";
import { ManualClock } from "../support/manual-clock.js";
import { freshPostgresSchema, probePostgres, serviceAvailable } from "../support/services.js";
import { SmtpSink, type SmtpSinkOptions } from "./smtp-sink.js";

// Mail leaves Baton through the outbox: written with the change that causes it, sent by the
// delivery worker over real SMTP (smtp-server in this process), parsed as it arrives (mailparser).
// Time is a manual clock: back-off and leases are crossed by moving it, never by sleeping.

const postgres = await serviceAvailable("PostgreSQL", probePostgres);

interface Database {
  /** Another store on the same database: another instance, or the same one after a restart. */
  open(): Promise<SqlStore>;
  drop(): Promise<void>;
}

const backends: { name: string; available: boolean; fresh(): Promise<Database> }[] = [
  {
    name: "SQLite",
    available: true,
    fresh() {
      const directory = mkdtempSync(join(tmpdir(), "baton-mail-"));
      const file = join(directory, "baton.db");
      return Promise.resolve({
        open: () => openSqliteStore(file),
        drop: () => Promise.resolve(rmSync(directory, { recursive: true, force: true })),
      });
    },
  },
  {
    name: "PostgreSQL",
    available: postgres,
    async fresh() {
      const schema = await freshPostgresSchema();
      return {
        open: () => openPostgresStore(schema.url, { poolSize: 4 }),
        drop: () => schema.drop(),
      };
    },
  },
];

const RETRY = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 8_000 };

/** A template as the account flows will write them: a link with its token in the fragment. */
const resetMail: MailTemplate<{ name: string; token: string }> = (data, context) => {
  const url = context.link("password/reset", { token: data.token });
  const greeting = context.locale === "fr" ? "Bonjour" : "Hello";
  return {
    subject: `${context.appName}: reset your password`,
    text: `${greeting} ${data.name},\n\nchoose a new password: ${url}`,
    html: html`<p>${greeting} ${data.name},</p>
      <p><a href="${url}">Choose a new password</a></p>`,
    link: url,
  };
};

function deliveries(metrics: Metrics): Promise<Record<string, number>> {
  return metrics.registry
    .getSingleMetric("baton_mail_deliveries_total")!
    .get()
    .then((metric) =>
      Object.fromEntries(metric.values.map((value) => [String(value.labels.result), value.value])),
    );
}

for (const backend of backends) {
  describe.runIf(backend.available)(`mail delivery on ${backend.name}`, () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function setup(sinkOptions: SmtpSinkOptions = {}) {
      const database = await backend.fresh();
      cleanups.push(() => database.drop());
      const clock = new ManualClock();
      const sink = await SmtpSink.start({ user: "baton", password: "s3cret pw", ...sinkOptions });
      cleanups.push(() => sink.stop());
      const options = resolveMailOptions(
        {
          smtpUrl: sink.url,
          from: "Example <no-reply@example.com>",
          appName: "Example",
          publicUrl: "https://app.example.com/accounts",
        },
        { production: false },
      );
      const mailer = new Mailer(options, clock);
      const open = async () => {
        const store = await database.open();
        cleanups.push(() => store.close());
        return store;
      };
      const worker = (
        store: SqlStore,
        metrics = new Metrics(),
        more: Partial<DeliveryWorkerOptions> = {},
      ) => {
        const transport = new SmtpTransport({ url: sink.url, from: options.from });
        cleanups.push(() => transport.close());
        return new MailDeliveryWorker({ store, transport, clock, metrics, retry: RETRY, ...more });
      };
      const message = (
        to = "ada@example.com",
        token = "tok-" + Math.random().toString(36).slice(2),
      ) => mailer.compose(resetMail, { to, data: { name: "Ada", token } });
      return { clock, sink, mailer, open, worker, message, store: await open() };
    }

    it("sends the mail of a committed change, never the mail of one that rolled back", async () => {
      const { store, worker, message, sink, clock } = await setup();
      const user = await store.createUser({
        id: "u1",
        email: "ada@example.com",
        name: "Ada",
        passwordHash: "$argon2id$x",
        roles: ["user"],
        createdAt: clock.now(),
      });
      expect(user).not.toBeNull();
      for (const id of ["s1", "s2"])
        await store.createSession(
          {
            id,
            userId: "u1",
            tokenSalt: "salt",
            createdAt: clock.now(),
            expiresAt: clock.now() + 60_000,
            maxExpiresAt: clock.now() + 60_000,
            ip: null,
            userAgent: null,
          },
          `hash-${id}`,
          0,
        );
      const stamp = { now: clock.now(), reason: "test", revocationExpiresAt: clock.now() + 60_000 };
      await store.revokeSession("s1", stamp);

      // The password is changed (its UPDATE runs) and then rolled back: the asking session ended.
      const rolledBack = message();
      expect(
        await store.changePassword({
          ...stamp,
          userId: "u1",
          passwordHash: "$argon2id$new",
          fromCredentialVersion: 0,
          keepSessionId: "s1",
          outbox: [rolledBack],
        }),
      ).toEqual({ changed: false, reason: "session-ended" });
      // The insert fails on the unique email: nothing of its transaction stays.
      const duplicate = message();
      expect(
        await store.createUser({ ...user!, id: "u2", createdAt: clock.now() }, [duplicate]),
      ).toBeNull();

      const changed = message();
      expect(
        await store.changePassword({
          ...stamp,
          userId: "u1",
          passwordHash: "$argon2id$new",
          fromCredentialVersion: 0,
          keepSessionId: "s2",
          outbox: [changed],
        }),
      ).toMatchObject({ changed: true });
      const registered = message("bob@example.com");
      await store.createUser(
        { ...user!, id: "u3", email: "bob@example.com", createdAt: clock.now() },
        [registered],
      );

      expect(await worker(store).deliverDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
      expect(sink.messageIds().sort()).toEqual(
        [changed.id, registered.id].map((id) => `<${id}@example.com>`).sort(),
      );
      expect(await store.findOutboxMessage(rolledBack.id)).toBeNull();
      expect(await store.findOutboxMessage(duplicate.id)).toBeNull();
    });

    it("delivers what the template rendered, links built from the public URL only", async () => {
      const { store, worker, mailer, sink } = await setup();
      const queued = mailer.compose(resetMail, {
        to: "ada@example.com",
        locale: "fr",
        data: { name: "<b>Ada</b>", token: "t0k3n" },
      });
      await store.enqueueOutbox([queued]);
      const metrics = new Metrics();
      await worker(store, metrics).deliverDue();

      const [arrived] = sink.received;
      const link = "https://app.example.com/accounts/password/reset#token=t0k3n";
      expect(arrived?.envelopeTo).toEqual(["ada@example.com"]);
      expect(arrived?.messageId).toBe(`<${queued.id}@example.com>`);
      expect(arrived?.parsed.from?.value).toEqual([
        { name: "Example", address: "no-reply@example.com" },
      ]);
      expect(arrived?.parsed.subject).toBe("Example: reset your password");
      expect(arrived?.parsed.text).toContain(
        `Bonjour <b>Ada</b>,\n\nchoose a new password: ${link}`,
      );
      expect(arrived?.parsed.text).toContain("Example");
      expect(arrived?.parsed.html).toContain(`<a href="${link}">`);
      expect(arrived?.parsed.html).toContain("Bonjour &lt;b&gt;Ada&lt;/b&gt;");
      expect(arrived?.parsed.html).toContain('<html lang="fr">');
      expect(arrived?.parsed.headers.get("content-language")).toBe("fr");

      // Settled: the token no longer rests in the table.
      expect(await store.findOutboxMessage(queued.id)).toMatchObject({
        status: "sent",
        payload: null,
        attempts: 1,
      });
      expect(await deliveries(metrics)).toEqual({ sent: 1 });
      expect((await metrics.text()).includes("baton_mail_queued 0")).toBe(true);
    });

    it("an SMTP outage mid-stream delays mail: after it, every message arrives exactly once", async () => {
      let outage = true;
      const { store, worker, message, sink, clock } = await setup({
        // The server goes down when the fourth message is announced (three were accepted).
        beforeMessage: (received: number) => (outage && received === 3 ? "drop" : "accept"),
      });
      const queued = Array.from({ length: 10 }, (_, index) => message(`user${index}@example.com`));
      await store.enqueueOutbox(queued);
      const metrics = new Metrics();
      const delivery = worker(store, metrics);

      expect(await delivery.deliverDue()).toEqual({ sent: 3, retried: 7, failed: 0 });
      expect(await store.countPendingOutbox("mail")).toBe(7);
      expect(await metrics.text()).toContain("baton_mail_queued 7");

      outage = false;
      await sink.listen(); // back, on the same port
      expect(await delivery.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 }); // not due yet
      clock.advance(RETRY.baseDelayMs);
      expect(await delivery.deliverDue()).toEqual({ sent: 7, retried: 0, failed: 0 });

      const expected = queued.map((mail) => `<${mail.id}@example.com>`);
      expect(sink.messageIds().sort()).toEqual(expected.sort());
      for (const mail of queued)
        expect((await store.findOutboxMessage(mail.id))?.status).toBe("sent");
      expect(await deliveries(metrics)).toEqual({ sent: 10, retried: 7 });
      expect(await metrics.text()).toContain("baton_mail_queued 0");
    });

    it("two instances on one database deliver every message exactly once", async () => {
      const { store, open, worker, message, sink } = await setup();
      const queued = Array.from({ length: 30 }, (_, index) => message(`user${index}@example.com`));
      await store.enqueueOutbox(queued);
      const first = worker(store, new Metrics(), { batchSize: 4 });
      const second = worker(await open(), new Metrics(), { batchSize: 4 });

      const passes = await Promise.all([first.deliverDue(), second.deliverDue()]);
      expect(passes[0].sent + passes[1].sent).toBe(30);
      // Both took part (the claims interleaved), and none was sent twice.
      expect(passes[0].sent).toBeGreaterThan(0);
      expect(passes[1].sent).toBeGreaterThan(0);
      expect(sink.messageIds().sort()).toEqual(
        queued.map((mail) => `<${mail.id}@example.com>`).sort(),
      );
    });

    it("a restart resumes: messages a dead worker had claimed go out once its lease runs out", async () => {
      const { store, open, worker, message, sink, clock } = await setup();
      const queued = Array.from({ length: 5 }, (_, index) => message(`user${index}@example.com`));
      await store.enqueueOutbox(queued);
      // A worker claims three and dies before sending them; its instance stops.
      const leaseMs = 60_000;
      const claimed = await store.claimOutbox({
        kind: "mail",
        now: clock.now(),
        limit: 3,
        lease: "dead-worker",
        leaseUntil: clock.now() + leaseMs,
      });
      expect(claimed).toHaveLength(3);
      await store.close();

      const restarted = worker(await open(), new Metrics(), { leaseMs });
      expect(await restarted.deliverDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
      clock.advance(leaseMs);
      expect(await restarted.deliverDue()).toEqual({ sent: 3, retried: 0, failed: 0 });
      expect(sink.messageIds().sort()).toEqual(
        queued.map((mail) => `<${mail.id}@example.com>`).sort(),
      );
      // The dead worker cannot settle what it no longer holds.
      const reopened = await open();
      expect(
        await reopened.settleOutbox(claimed[0]!.id, "dead-worker", { outcome: "sent", at: 0 }),
      ).toBe(false);
      expect(await reopened.findOutboxMessage(claimed[0]!.id)).toMatchObject({ attempts: 2 });
    });

    it("a message that keeps failing ends failed after the last attempt, and is counted", async () => {
      const { store, worker, message, sink, clock } = await setup();
      await sink.stop(); // the server never comes back
      const doomed = message();
      await store.enqueueOutbox([doomed]);
      const metrics = new Metrics();
      const delivery = worker(store, metrics);

      const passes = [];
      for (let attempt = 1; attempt <= RETRY.maxAttempts + 1; attempt++) {
        passes.push(await delivery.deliverDue());
        clock.advance(RETRY.maxDelayMs);
      }
      expect(passes).toEqual([
        { sent: 0, retried: 1, failed: 0 },
        { sent: 0, retried: 1, failed: 0 },
        { sent: 0, retried: 1, failed: 0 },
        { sent: 0, retried: 0, failed: 1 },
        { sent: 0, retried: 0, failed: 0 }, // given up: never claimed again
      ]);
      const record = await store.findOutboxMessage(doomed.id);
      expect(record).toMatchObject({ status: "failed", attempts: 4, payload: null });
      expect(record?.lastError).toMatch(/ECONNREFUSED/);
      expect(await deliveries(metrics)).toEqual({ retried: 3, failed: 1 });
      expect(await metrics.text()).toContain("baton_mail_queued 0");
    });

    it("start() delivers at once and polls; stop() waits for the pass under way; calls during a pass share it", async () => {
      const { store, message, clock } = await setup();
      const lines: string[] = [];
      const inbox = new DevelopmentInbox({ print: (line) => lines.push(line) });
      const worker = new MailDeliveryWorker({
        store,
        transport: inbox,
        clock,
        metrics: new Metrics(),
      });
      const first = message("ada@example.com", "first");
      await store.enqueueOutbox([first]);
      worker.start(60_000);
      await worker.stop();
      expect(inbox.messages().map((mail) => mail.id)).toEqual([first.id]);
      expect(lines).toEqual([
        "[development inbox] to ada@example.com: Example: reset your password https://app.example.com/accounts/password/reset#token=first",
      ]);

      await store.enqueueOutbox([message("bob@example.com")]);
      const [one, two] = [worker.deliverDue(), worker.deliverDue()];
      expect(one).toBe(two);
      expect(await one).toEqual({ sent: 1, retried: 0, failed: 0 });
      await worker.stop(); // and the pass that follows a shared one
    });

    it("a recipient the server refuses for good (550) fails at once, without retries", async () => {
      const { store, worker, message } = await setup({ rejectRecipients: ["gone@example.com"] });
      const refused = message("gone@example.com");
      await store.enqueueOutbox([refused]);
      const metrics = new Metrics();
      expect(await worker(store, metrics).deliverDue()).toEqual({
        sent: 0,
        retried: 0,
        failed: 1,
      });
      expect(await store.findOutboxMessage(refused.id)).toMatchObject({
        status: "failed",
        attempts: 1,
      });
    });
  });
}
