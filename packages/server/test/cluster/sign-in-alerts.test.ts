import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmtpSink } from "../mail/smtp-sink.js";
import { startCluster, type Cluster } from "../support/cluster.js";
import { probePostgres, serviceAvailable } from "../support/services.js";

// The new-device rule and "this wasn't me" across two instances on one PostgreSQL database: a
// device known to one instance is known to the other (the device cookie is checked with the
// shared key), each alert is sent once though both instances' workers deliver, and of two
// redemptions of one link on two instances exactly one ends the sessions.

const available = await serviceAvailable("PostgreSQL", probePostgres);
const PASSWORD = "correct horse battery";

describe.runIf(available)("sign-in alerts on two instances sharing PostgreSQL", () => {
  let cluster: Cluster;
  let smtp: SmtpSink;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    cluster = await startCluster({ redis: false, smtpUrl: smtp.url });
  });
  afterAll(async () => {
    await cluster.close();
    await smtp.stop();
  });

  /** Both instances deliver at once until neither finds anything due. */
  async function flush(): Promise<void> {
    for (;;) {
      const passes = await Promise.all(
        [cluster.a, cluster.b].map((server) => server.baton.mail!.deliverDue()),
      );
      if (passes.every((pass) => pass.sent + pass.retried + pass.failed === 0)) return;
    }
  }
  /** The security mail `email` received (the sign-up's address verification left aside). */
  const mailTo = (email: string) =>
    smtp.received.filter(
      (m) =>
        m.envelopeTo.includes(email) && !m.parsed.subject?.startsWith("Confirm your email address"),
    );

  it("a browser known on A is known on B; a new one is announced once", async () => {
    const email = "ada@example.com";
    const onA = cluster.client(cluster.a);
    expect((await onA.post("/api/auth/register", { email, password: PASSWORD })).status).toBe(201);
    // The same browser (its cookies) signing in through the other instance.
    const sameBrowserOnB = cluster.client(cluster.b);
    for (const [name, value] of onA.jar) sameBrowserOnB.jar.set(name, value);
    expect(
      (await sameBrowserOnB.post("/api/auth/login", { email, password: PASSWORD })).status,
    ).toBe(200);
    await flush();
    expect(mailTo(email)).toEqual([]);

    const stranger = cluster.client(cluster.b);
    expect((await stranger.post("/api/auth/login", { email, password: PASSWORD })).status).toBe(
      200,
    );
    await flush();
    expect(mailTo(email).map((m) => m.parsed.subject)).toEqual([
      "New sign-in to your Baton account",
    ]);
  });

  it("one not-me link redeemed on A and B at once: one ends every session, the other is LINK_INVALID", async () => {
    const email = "grace@example.com";
    await cluster.client(cluster.a).post("/api/auth/register", { email, password: PASSWORD });
    await cluster.client(cluster.b).post("/api/auth/login", { email, password: PASSWORD });
    await flush();
    const token = /not-me#token=([A-Za-z0-9_-]+)/.exec(mailTo(email)[0]!.parsed.text ?? "")![1]!;
    const answers = await Promise.all(
      [cluster.a, cluster.b].map((server) =>
        cluster.client(server).post("/api/auth/not-me", { token }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    const ended = answers.find((answer) => answer.status === 200)!;
    expect(ended.body).toEqual({ email, sessionsEnded: 2 });
  });
});
